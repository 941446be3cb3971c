"""``bpmn-bridge templates``: write element templates for connectors."""

from __future__ import annotations

import argparse
import sys

from bpmn_bridge.core import ConfigurationError, ConnectorSpec, get_spec

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``templates`` options to its sub-command parser."""
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="MODULE:ATTRIBUTE",
        help="connectors to write templates for (a function or a list of them)",
    )
    parser.add_argument(
        "--builtin", action="store_true", help="include the built-in connectors (REST, email)"
    )
    parser.add_argument(
        "--out",
        default="element-templates",
        metavar="DIR",
        help="output folder; templates go to DIR/camunda8 and DIR/camunda7 "
        "(default: element-templates)",
    )
    parser.add_argument(
        "--engine",
        choices=("camunda8", "camunda7", "both"),
        default="both",
        help="which Modeler's templates to write (default: both)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the templates and list the files written on stdout.

    Raises:
        ConfigurationError: A reference does not name a connector, no connector was
            named, or two connectors share a template id.
    """
    from bpmn_bridge.runtime import load_reference
    from bpmn_bridge.templates._write import Engine, write_templates

    specs: list[ConnectorSpec] = []
    if args.builtin:
        from bpmn_bridge.connectors import BUILTIN_CONNECTORS

        specs.extend(get_spec(c) for c in BUILTIN_CONNECTORS)
    for reference in args.connectors:
        specs.extend(load_reference(reference))
    if not specs:
        raise ConfigurationError("name connectors as MODULE:ATTRIBUTE or pass --builtin")
    engines: list[Engine] = ["camunda8", "camunda7"] if args.engine == "both" else [args.engine]
    for path in write_templates(specs, args.out, engines=engines):
        print(path, file=sys.stdout)
    return 0
