"""The worked examples live in ``examples/`` of the checkout. A dependency of the
``camunda7-client`` extra installs another top-level ``examples`` package into site-packages,
so the checkout goes first on sys.path. (No ``__init__.py`` here on purpose: it would make
this directory a package named ``examples`` too.)"""

import sys
from pathlib import Path

_CHECKOUT = str(Path(__file__).resolve().parents[2])
if sys.path[:1] != [_CHECKOUT]:
    sys.path.insert(0, _CHECKOUT)
