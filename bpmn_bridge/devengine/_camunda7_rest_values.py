"""Server side of the Camunda 7 REST front: typed variables in REST JSON ⇄ `TypedValue`.

The client side (what the Camunda 7 adapter sends and reads) is
`bpmn_bridge.adapters._camunda7_variables`; the two share the type rules kept there.

Camunda 7 sends and returns variables as ``{"name": {"value": ..., "type": ...,
"valueInfo": {...}}}``. The engine keeps what a Camunda 7 client sent (normalised the way
Camunda 7 normalises it, so it reads back as the real engine returns it) and stores values
written through the Zeebe protocol or by expressions as plain JSON values; this module renders
both.

Behaviour copied from Camunda 7.24 (checked against the real engine in
``tests/devengine/test_camunda7_scenarios.py``):

- Type names are case-insensitive on input and canonical on output (``"long"`` → ``"Long"``).
- A value without ``type`` gets one from its JSON type: string → String, boolean → Boolean,
  integer → Integer when it fits 32 bits else Long, fraction → Double.
- ``Double`` given as ``3`` reads back as ``3.0``; ``Date`` is normalised to
  ``yyyy-MM-dd'T'HH:mm:ss.SSS+0000`` (the harness JVM runs in UTC).
- ``Json`` and ``Object`` (``serializationDataFormat: application/json``) keep the
  serialised text exactly as sent.
- History queries show ``Bytes`` values as ``null`` and, unless ``deserializeValues=false``,
  ``Object`` values as the parsed JSON document.
- An untyped JSON object or array becomes a Java-serialized ``Object`` in Camunda 7; here it
  stays a plain JSON value and reads back as ``Json`` (the one deliberate difference).
- A value that does not convert is rejected with Camunda's message
  ``Cannot convert value 'abc' of type 'Integer' to java type java.lang.Integer``; an unknown
  type with ``Unsupported value type 'Foo'``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from bpmn_bridge.adapters._camunda7_variables import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    format_date,
    infer_type_name,
)

from ._errors import InvalidArgumentError
from ._model import TypedValue

__all__ = [
    "VariableConversionError",
    "plain_type_name",
    "typed_value_from_rest",
    "typed_value_to_rest",
    "typed_values_from_rest",
    "typed_values_to_rest",
]

_INT32_MIN, _INT32_MAX = INT32_MIN, INT32_MAX
_INT16_MIN, _INT16_MAX = -(2**15), 2**15 - 1
_INT64_MIN, _INT64_MAX = INT64_MIN, INT64_MAX

_JAVA_TYPES = {
    "Boolean": "java.lang.Boolean",
    "Bytes": "[B",
    "Date": "java.util.Date",
    "Double": "java.lang.Double",
    "Integer": "java.lang.Integer",
    "Long": "java.lang.Long",
    "Short": "java.lang.Short",
    "String": "java.lang.String",
}
_CANONICAL = {
    name.lower(): name
    for name in (
        *("Boolean", "Bytes", "Date", "Double", "Integer", "Json", "Long", "Null"),
        *("Object", "Short", "String", "File", "Xml"),
    )
}


class VariableConversionError(InvalidArgumentError):
    """A Camunda 7 variable value does not match its declared type (HTTP 400)."""


def _cannot_convert(value: Any, type_name: str) -> VariableConversionError:
    java = _JAVA_TYPES.get(type_name, type_name)
    return VariableConversionError(
        f"Cannot convert value '{value}' of type '{type_name}' to java type {java}"
    )


def _integer(value: Any, type_name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _cannot_convert(value, type_name)
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise _cannot_convert(value, type_name) from None
    if not isinstance(value, int) or not low <= value <= high:
        raise _cannot_convert(value, type_name)
    return value


def _date(value: Any) -> str:
    if not isinstance(value, str):
        raise _cannot_convert(value, "Date")
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        raise _cannot_convert(value, "Date") from None
    return format_date(parsed)


# The type rules and the date format are the adapter's (bpmn_bridge.adapters), so the
# dev engine shows values exactly as the Camunda7Adapter sends them.
_infer_type = infer_type_name


def plain_type_name(value: Any) -> str:
    """The Camunda 7 type a plain JSON value is shown as.

    Args:
        value: a plain JSON value (from the Zeebe protocol or an expression).

    Returns:
        The canonical type name; objects and arrays are shown as ``Json``.
    """
    return _infer_type(value)


def typed_value_from_rest(name: str, payload: Any) -> TypedValue:
    """Turn one REST variable into a `TypedValue`, normalised as Camunda 7 stores it.

    Args:
        name: the variable name (for error messages).
        payload: ``{"value": ..., "type": ..., "valueInfo": ...}``.

    Returns:
        The typed value.

    Raises:
        VariableConversionError: the value does not fit its type or the type is unknown.
    """
    if not isinstance(payload, Mapping):
        raise VariableConversionError(f"Variable '{name}' must be an object with a value")
    value = payload.get("value")
    raw_type = payload.get("type")
    value_info = payload.get("valueInfo") or {}
    if not isinstance(value_info, Mapping):
        raise VariableConversionError(f"valueInfo of variable '{name}' must be an object")
    if raw_type is None:
        type_name = _infer_type(value)
        if type_name == "Json":
            # Camunda 7 Java-serializes an untyped object or array; the dev engine keeps it
            # as a plain JSON value instead (shown as Json).
            return TypedValue(value)
    else:
        canonical = _CANONICAL.get(str(raw_type).lower())
        if canonical is None or canonical in ("File", "Xml"):
            raise VariableConversionError(f"Unsupported value type '{raw_type}'")
        type_name = canonical
    if value is None:
        # Every Camunda 7 type accepts null; Null is its own type.
        return TypedValue(None, type_name, dict(value_info))
    match type_name:
        case "String":
            if not isinstance(value, str):
                value = json.dumps(value) if isinstance(value, dict | list) else str(value)
        case "Boolean":
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if not isinstance(value, bool):
                raise _cannot_convert(value, type_name)
        case "Integer":
            value = _integer(value, type_name, _INT32_MIN, _INT32_MAX)
        case "Short":
            value = _integer(value, type_name, _INT16_MIN, _INT16_MAX)
        case "Long":
            value = _integer(value, type_name, _INT64_MIN, _INT64_MAX)
        case "Double":
            if isinstance(value, bool):
                raise _cannot_convert(value, type_name)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise _cannot_convert(value, type_name) from None
        case "Date":
            value = _date(value)
        case "Bytes":
            if not isinstance(value, str):
                raise _cannot_convert(value, type_name)
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise _cannot_convert(value, type_name) from None
        case "Json" | "Object":
            if not isinstance(value, str):
                raise VariableConversionError(
                    f"Must provide 'null' or String value for value of SerializableValue "
                    f"type '{type_name}'."
                )
        case "Null":
            value = None
    return TypedValue(value, type_name, dict(value_info))


def typed_values_from_rest(payload: Any) -> dict[str, TypedValue]:
    """Decode a REST ``variables`` object (``None`` means no variables).

    Args:
        payload: ``{"name": {"value": ..., "type": ...}, ...}`` or ``None``.

    Returns:
        Typed values by name.

    Raises:
        VariableConversionError: see `typed_value_from_rest`.
    """
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise VariableConversionError("variables must be a JSON object")
    return {str(name): typed_value_from_rest(str(name), item) for name, item in payload.items()}


def typed_value_to_rest(
    typed: TypedValue, *, deserialize: bool = False, history: bool = False
) -> dict[str, Any]:
    """Render a `TypedValue` the way the Camunda 7 REST API returns it.

    Args:
        typed: the stored value.
        deserialize: show ``Object`` values as parsed JSON (``deserializeValues=true``).
        history: history queries hide ``Bytes`` content (``value: null``).

    Returns:
        ``{"type": ..., "value": ..., "valueInfo": ...}``.
    """
    if typed.type_name is None:
        type_name = _infer_type(typed.value)
        value: Any = typed.value
        if type_name == "Json":
            value = json.dumps(typed.value, separators=(",", ":"))
        return {"type": type_name, "value": value, "valueInfo": {}}
    value = typed.value
    if typed.type_name == "Bytes" and history:
        value = None
    elif typed.type_name == "Object" and deserialize and isinstance(value, str):
        fmt = str(typed.value_info.get("serializationDataFormat", ""))
        if fmt.startswith("application/json"):
            with contextlib.suppress(ValueError, RecursionError):
                value = json.loads(value)
    return {"type": typed.type_name, "value": value, "valueInfo": dict(typed.value_info)}


def typed_values_to_rest(
    variables: Mapping[str, TypedValue], *, deserialize: bool = False
) -> dict[str, dict[str, Any]]:
    """Render variables as a REST ``variables`` object.

    Args:
        variables: typed values by name.
        deserialize: see `typed_value_to_rest`.

    Returns:
        ``{"name": {"type": ..., "value": ..., "valueInfo": ...}}``.
    """
    return {
        name: typed_value_to_rest(value, deserialize=deserialize)
        for name, value in variables.items()
    }
