"""Camunda 7 typed variables ⇄ plain Python values, for the external-task REST API.

Camunda 7 sends and takes variables as ``{"name": {"value": ..., "type": ...,
"valueInfo": {...}}}``. This module maps them to the values a connector works with and back,
without loss for every type a connector produces:

======================  =====================================  ==============================
Python                  sent as                                read back as
======================  =====================================  ==============================
``None``                ``Null``                               ``None``
``bool``                ``Boolean``                            ``bool``
``int``                 ``Integer`` (32-bit) else ``Long``;    ``int``
                        beyond 64 bits ``Json`` (a number)
``float``               ``Double``                             ``float``
``str``                 ``String``; longer than the engine's   ``str``
                        text column (4000 chars): ``Object``
                        ``java.lang.String`` in JSON
``datetime``            ``Date`` ``yyyy-MM-dd'T'HH:mm:ss.SSSZ``  ``datetime`` in UTC
                        (naive means UTC; milliseconds only)
``bytes``               ``Bytes`` (base64)                     ``bytes``
``dict`` / ``list``     ``Json`` (default) or ``Object``       parsed ``dict`` / ``list``
                        ``application/json``
======================  =====================================  ==============================

``Json`` is the default for documents: the engine keeps the text exactly as sent, names no
Java class and needs no deserialization allow-list. ``Object`` (``java.util.LinkedHashMap`` /
``java.util.ArrayList``) is the choice when JUEL expressions read fields as ``${order.total}``;
both read back identically. Values Python cannot represent without loss (Java-serialized
objects, ``Xml``, ``File``, unknown types) arrive as :class:`RawTypedValue` and go back out
unchanged.

Why not camunda-external-task-client-python3's ``Variables``: ``format`` sends every value
untyped (the engine then Java-serializes dicts and lists, and ``datetime``/``bytes`` do not
serialize at all) and treats any dict with a ``"value"`` key as already typed;
``to_dict`` returns ``Json``, ``Date`` and ``Bytes`` values as raw strings.

The type rules both directions share with the dev engine's REST front (scalar type inference,
the date wire format) live here so the dev engine imports them rather than repeating them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_STRING_LENGTH",
    "DocumentType",
    "RawTypedValue",
    "decode_variables",
    "encode_variables",
    "format_date",
    "infer_type_name",
    "parse_date",
]

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

MAX_STRING_LENGTH = 4000
"""Longest ``String`` the engine stores: its text column (``TEXT_``) is varchar(4000) on H2,
PostgreSQL and MySQL; a longer one fails the whole call with a persistence error (code 10002).
Oracle's column is NVARCHAR2(2000)."""

DocumentType = Literal["Json", "Object"]
"""How dicts and lists go out: Camunda ``Json`` or ``Object`` serialized as JSON."""

_JSON_FORMAT = "application/json"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# What the engine always sends (every fetched task's lock expiry): for exactly this shape
# fromisoformat gives strptime's result at a hundredth of its cost.
_ENGINE_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", re.ASCII)


@dataclass(frozen=True, slots=True)
class RawTypedValue:
    """A Camunda 7 variable with no lossless Python form, kept as the engine sent it.

    Returned for Java-serialized ``Object`` values, ``Xml``, ``File`` and unknown types; sent
    back exactly as received.

    Attributes:
        type: The Camunda type name, e.g. ``"Object"``.
        value: The serialized value.
        value_info: The engine's ``valueInfo`` (``objectTypeName``, ...).
    """

    type: str
    value: Any
    value_info: Mapping[str, Any] = field(default_factory=dict)


def infer_type_name(value: Any) -> str:
    """The Camunda 7 type the engine gives a plain JSON value sent without a type.

    Args:
        value: A JSON value.

    Returns:
        ``Null``, ``Boolean``, ``Integer`` (fits 32 bits), ``Long``, ``Double`` or
        ``String``; ``Json`` for objects and arrays.
    """
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if INT32_MIN <= value <= INT32_MAX else "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    return "Json"


def format_date(value: dt.datetime) -> str:
    """Render a datetime in Camunda 7's date format, ``yyyy-MM-dd'T'HH:mm:ss.SSSZ``, in UTC.

    The engine refuses ``+00:00`` (a colon in the offset) and keeps milliseconds only.

    Args:
        value: The instant; a naive datetime is taken as UTC.

    Returns:
        E.g. ``2024-01-02T03:04:05.000+0000``.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    utc = value.astimezone(dt.UTC)
    return f"{utc.strftime(_DATE_FORMAT)}.{utc.microsecond // 1000:03d}+0000"


def parse_date(text: str) -> dt.datetime:
    """Parse a Camunda 7 date (``2024-01-02T03:04:05.000+0100``) into a UTC datetime.

    Raises:
        ValueError: The text is not in Camunda's date format.
    """
    if _ENGINE_DATE.fullmatch(text):
        return dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(dt.UTC)


def _decode(payload: Any) -> Any:
    if not isinstance(payload, Mapping):
        return payload
    type_name = str(payload.get("type") or "")
    value: Any = payload.get("value")
    info = payload.get("valueInfo") or {}
    lowered = type_name.lower()
    if value is None and lowered not in ("object", "file"):
        return None
    try:
        match lowered:
            case "string" | "boolean" | "integer" | "long" | "short" | "null":
                return value
            case "double":
                return float(value)
            case "date":
                return parse_date(value)
            case "bytes":
                return base64.b64decode(value, validate=True)
            case "json":
                return json.loads(value)
            case "object" if str(info.get("serializationDataFormat", "")).startswith(
                _JSON_FORMAT
            ) and isinstance(value, str):
                return json.loads(value)
    except (TypeError, ValueError, RecursionError, binascii.Error):
        # not what its type promises, or JSON nested past what Python parses: hand it on
        # untouched rather than lose it (or the whole fetch with it)
        pass
    return RawTypedValue(type_name, value, dict(info))


def decode_variables(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """Turn the engine's typed variables into plain Python values (see the module table).

    Args:
        payload: ``{"name": {"type": ..., "value": ..., "valueInfo": ...}}`` or None.

    Returns:
        Values by name.
    """
    return {str(name): _decode(item) for name, item in (payload or {}).items()}


def _document(value: Any, name: str, document_type: DocumentType) -> dict[str, Any]:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"variable '{name}' holds a value JSON cannot carry: {exc}") from None
    if document_type == "Json":
        return {"type": "Json", "value": text}
    java_type = "java.util.LinkedHashMap" if isinstance(value, dict) else "java.util.ArrayList"
    return _json_object(text, java_type)


def _json_object(text: str, java_type: str) -> dict[str, Any]:
    return {
        "type": "Object",
        "value": text,
        "valueInfo": {"objectTypeName": java_type, "serializationDataFormat": _JSON_FORMAT},
    }


def _encode(
    name: str, value: Any, *, document_type: DocumentType, max_string_length: int
) -> dict[str, Any]:
    if isinstance(value, RawTypedValue):
        return {"type": value.type, "value": value.value, "valueInfo": dict(value.value_info)}
    if value is None:
        return {"type": "Null", "value": None}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value}
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return {"type": infer_type_name(value), "value": value}
        # Beyond Long: a JSON number keeps every digit (Spin reads it as a BigInteger).
        return {"type": "Json", "value": str(value)}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"variable '{name}' is {value}; Camunda 7 has no Double for it")
        return {"type": "Double", "value": value}
    if isinstance(value, str):
        if len(value) > max_string_length:
            # A String this long fails the whole call in the engine's text column; a JSON
            # Object of java.lang.String lives in the byte-array column and JUEL still sees
            # a String.
            return _json_object(json.dumps(value, ensure_ascii=False), "java.lang.String")
        return {"type": "String", "value": value}
    if isinstance(value, dt.datetime):
        return {"type": "Date", "value": format_date(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"type": "Bytes", "value": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return _document(dict(value), name, document_type)
    if isinstance(value, list | tuple):
        return _document(list(value), name, document_type)
    raise TypeError(
        f"variable '{name}' is a {type(value).__name__}; Camunda 7 variables take None, bool, "
        "int, float, str, datetime, bytes, dict and list"
    )


def encode_variables(
    variables: Mapping[str, Any],
    *,
    document_type: DocumentType = "Json",
    max_string_length: int = MAX_STRING_LENGTH,
) -> dict[str, dict[str, Any]]:
    """Turn plain Python values into the engine's typed variables (see the module table).

    Args:
        variables: Values by name.
        document_type: How dicts and lists go out.
        max_string_length: Strings longer than this go out as a JSON ``java.lang.String``.

    Returns:
        ``{"name": {"type": ..., "value": ..., "valueInfo": ...}}``.

    Raises:
        TypeError: A value (or one nested in a dict or list) has no Camunda 7 form.
        ValueError: A float is NaN or infinite.
    """
    return {
        name: _encode(name, value, document_type=document_type, max_string_length=max_string_length)
        for name, value in variables.items()
    }
