"""The demo's expectations come from the worked example in ``examples/`` of the checkout,
which must go first on sys.path (a dependency installs another top-level ``examples``)."""

from bpmn_bridge.demo._example import make_example_importable

make_example_importable()
