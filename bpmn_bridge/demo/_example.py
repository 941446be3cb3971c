"""Where the demo finds the worked example: ``examples/`` of the source checkout.

The example is not part of the installed package; an editable install finds it next to
``bpmn_bridge/``. It must come first on ``sys.path``: a dependency
(camunda-external-task-client-python3) installs a top-level package that is also named
``examples``, and it would otherwise shadow the checkout's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bpmn_bridge.core import ConfigurationError

__all__ = ["make_example_importable"]


def make_example_importable() -> Path:
    """Put the source checkout first on ``sys.path`` so ``examples.order_fulfilment`` imports.

    Returns:
        The example's directory.

    Raises:
        ConfigurationError: No source checkout around the package (an installed wheel), or
            another ``examples`` package was imported already.
    """
    root = Path(__file__).resolve().parents[2]
    example = root / "examples" / "order_fulfilment"
    if not (example / "__init__.py").is_file():
        raise ConfigurationError(
            "the demo runs the worked example in examples/order_fulfilment of a source "
            f"checkout, and there is none next to {root / 'bpmn_bridge'}; clone the "
            "repository and install it with: pip install -e '.[dev]'"
        )
    if sys.path[:1] != [str(root)]:
        sys.path.insert(0, str(root))
    loaded = sys.modules.get("examples")
    origin = getattr(loaded, "__file__", None) or ""
    if loaded is not None and not Path(origin).resolve().is_relative_to(root):
        raise ConfigurationError(
            f"another package named 'examples' ({origin}) is already imported; "
            "run the demo in a fresh process"
        )
    return example
