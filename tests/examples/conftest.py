"""The worked examples live in ``examples/`` of the checkout. A dependency installs another
top-level ``examples`` package into site-packages, so the checkout goes first on sys.path, the
same way ``bpmn-bridge demo`` does it. (No ``__init__.py`` here on purpose: it would make this
directory a package named ``examples`` too.)"""

from bpmn_bridge.demo._example import make_example_importable

make_example_importable()
