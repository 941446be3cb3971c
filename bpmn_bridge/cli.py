"""``bpmn-bridge``: run workers, the development engine, the demo, templates and migration."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bpmn_bridge.core import BridgeError

__all__ = ["main"]

log = logging.getLogger("bpmn_bridge.cli")

# Each sub-command lives with the part of the system it drives; its module provides
# ``add_arguments(parser)`` and ``run(args) -> int``.
_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("bpmn_bridge.templates._init_cli", "Create a starter project that passes its tests"),
    "run": ("bpmn_bridge.runtime._cli", "Run connectors as workers on Camunda 8 and/or 7"),
    "deploy": ("bpmn_bridge.runtime._deploy_cli", "Deploy BPMN diagrams to an engine"),
    "start": ("bpmn_bridge.runtime._start_cli", "Start a process instance (--wait: see it end)"),
    "dev-engine": ("bpmn_bridge.devengine._cli", "Run the embedded development engine"),
    "demo": ("bpmn_bridge.demo", "Show one connector serving both engines (embedded)"),
    "templates": ("bpmn_bridge.templates._cli", "Write element templates for both Modelers"),
    "migrate": ("bpmn_bridge.migrate._cli", "Convert a Camunda 7 diagram to Camunda 8 (or back)"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="bpmn-bridge",
        description="Write a BPMN connector once; run it on Camunda 8 and Camunda 7.",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in _COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module = _module(module_name)
        if module is None:
            continue
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None  # a part not installed in this build
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bpmn-bridge`` console script."""
    # Connector references name the user's modules, found from where the command runs first
    # (as uvicorn and gunicorn do); a console script does not put that directory on the
    # path, and an installed package of the same name must not shadow the user's.
    if not sys.path or sys.path[0] != os.getcwd():
        sys.path.insert(0, os.getcwd())
    parser = build_parser()
    args = parser.parse_args(argv)
    if not any(getattr(h, "_bpmn_bridge", False) for h in logging.getLogger().handlers):
        logging.basicConfig(
            level=args.log_level.upper(),
            format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        )
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"command '{args.command}' is not available in this installation")
    try:
        return handler(args)
    except BridgeError as exc:
        print(f"bpmn-bridge {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
