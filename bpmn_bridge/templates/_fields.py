"""A connector's input model, read once into engine-neutral form fields.

Both template writers (Camunda 8 and Camunda 7) render the same `FormField` list, so a
pydantic feature maps to a property the same way on both, and only what the engines can
express differs.

Mapping rules (docs/templates.md explains the choices):

* scalar ``str`` / ``SecretStr`` / ``int`` / ``float`` / ``bool`` fields, ``Literal`` and
  ``Enum`` types become one input each, named by the field's alias;
* a nested model becomes a group whose leaves are addressed by dotted paths
  (``authentication.username``), as Camunda's own connector templates do;
* a discriminated union of models becomes a dropdown on the discriminator
  (``authentication.type``) plus each variant's fields, shown only when chosen;
* lists, dicts, unions without a discriminator and anything else structured become one
  `Kind.STRUCTURED` field (a FEEL expression on Camunda 8).
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from bpmn_bridge.core import ConnectorDefinitionError

__all__ = ["Condition", "FormField", "FormGroup", "Kind", "read_fields"]

_SECRET_HINT = "Use {{secrets.NAME}}"


class Kind(enum.Enum):
    """How a field is entered."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    STRUCTURED = "structured"


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a field only while the dropdown at ``path`` has ``value``."""

    path: str
    value: str


@dataclass(frozen=True, slots=True)
class FormGroup:
    """A group of fields: the top-level inputs, or one nested model."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of the connector as a form shows it.

    Attributes:
        path: The variable path, aliases joined with dots (``authentication.username``).
        id: Unique among the fields (variants of a union may share a path).
        label: The field's title, or its name.
        description: The field's description, with a secrets hint for secrets.
        kind: How it is entered.
        group: The group it is shown in.
        required: Whether the input model needs a value.
        default: The default value as plain data, or None.
        has_default: Whether the model has a default (None may be that default).
        choices: Allowed values of a `Kind.CHOICE` field, in declaration order.
        pattern: A regular expression the value must match.
        min_length: Shortest allowed text.
        max_length: Longest allowed text.
        secret: Whether the value is a secret (``SecretStr``).
        nested: Whether the field belongs to a nested model (not a top-level variable).
        condition: When the field is shown, for fields of one union variant.
    """

    path: str
    id: str
    label: str
    description: str
    kind: Kind
    group: FormGroup
    required: bool
    default: Any
    has_default: bool
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    secret: bool = False
    nested: bool = False
    condition: Condition | None = None


INPUT_GROUP = FormGroup("input", "Input")


def read_fields(model: type[BaseModel]) -> list[FormField]:
    """Read a model's fields, in declaration order, into form fields.

    Raises:
        ConnectorDefinitionError: A discriminated union variant lacks a literal
            discriminator, so its fields cannot be told apart.
    """
    return list(_walk(model, prefix="", group=INPUT_GROUP, condition=None, nested=False))


def _walk(
    model: type[BaseModel],
    *,
    prefix: str,
    group: FormGroup,
    condition: Condition | None,
    nested: bool,
    id_prefix: str | None = None,
) -> Iterator[FormField]:
    id_prefix = prefix if id_prefix is None else id_prefix
    for name, info in model.model_fields.items():
        alias = _alias(name, info)
        path = f"{prefix}{alias}"
        field_id = f"{id_prefix}{alias}"
        annotation, nullable = _strip_optional(info.annotation)
        label = info.title or name.replace("_", " ").capitalize()
        default, has_default = _default(info)
        required = info.is_required() and not nullable
        models = _models_of(annotation)
        if models is not None and len(models) == 1 and _discriminator(info) is None:
            sub_group = FormGroup(path, label)
            yield from _walk(
                models[0],
                prefix=f"{path}.",
                group=sub_group,
                condition=condition,
                nested=True,
                id_prefix=f"{field_id}.",
            )
            continue
        discriminator = _discriminator(info)
        if models is not None and discriminator is not None:
            yield from _union(
                models,
                discriminator,
                path=path,
                field_id=field_id,
                label=label,
                description=info.description or "",
                default=default,
                condition=condition,
            )
            continue
        yield _scalar(
            annotation,
            info,
            path=path,
            field_id=field_id,
            label=label,
            group=group,
            required=required,
            default=default,
            has_default=has_default,
            condition=condition,
            nested=nested,
        )


def _union(
    models: tuple[type[BaseModel], ...],
    discriminator: str,
    *,
    path: str,
    field_id: str,
    label: str,
    description: str,
    default: Any,
    condition: Condition | None,
) -> Iterator[FormField]:
    group = FormGroup(path, label)
    variants: list[tuple[str, type[BaseModel]]] = []
    for variant in models:
        tag_info = variant.model_fields.get(discriminator)
        tags = _literal_values(tag_info.annotation) if tag_info is not None else None
        if tag_info is None or not tags or len(tags) != 1:
            raise ConnectorDefinitionError(
                f"{variant.__qualname__}: the discriminator '{discriminator}' must be a "
                "Literal of one value to render a template"
            )
        variants.append((str(tags[0]), variant))
    tag_alias = _alias(discriminator, models[0].model_fields[discriminator])
    chosen = default.get(tag_alias) if isinstance(default, dict) else None
    yield FormField(
        path=f"{path}.{tag_alias}",
        id=f"{field_id}.{tag_alias}",
        label=label,
        description=description,
        kind=Kind.CHOICE,
        group=group,
        required=True,
        default=chosen if chosen is not None else variants[0][0],
        has_default=True,
        choices=tuple(tag for tag, _ in variants),
        nested=True,
        condition=condition,
    )
    for tag, variant in variants:
        for sub in _walk(
            variant,
            prefix=f"{path}.",
            group=group,
            condition=Condition(f"{field_id}.{tag_alias}", tag),
            nested=True,
            id_prefix=f"{field_id}.{tag}.",
        ):
            if sub.path != f"{path}.{tag_alias}":
                yield sub


def _scalar(
    annotation: Any,
    info: FieldInfo,
    *,
    path: str,
    field_id: str,
    label: str,
    group: FormGroup,
    required: bool,
    default: Any,
    has_default: bool,
    condition: Condition | None,
    nested: bool,
) -> FormField:
    choices: tuple[str, ...] = ()
    secret = False
    literal = _literal_values(annotation)
    if literal is not None:
        kind, choices = Kind.CHOICE, tuple(str(v) for v in literal)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        kind, choices = Kind.CHOICE, tuple(str(m.value) for m in annotation)
    elif annotation is bool:
        kind = Kind.BOOLEAN
    elif annotation in (int, float, Decimal):
        kind = Kind.NUMBER
    elif annotation is str:
        kind = Kind.STRING
    elif annotation is SecretStr:
        kind, secret = Kind.STRING, True
    else:
        kind = Kind.STRUCTURED
    description = info.description or ""
    if secret and "{{secrets." not in description:
        description = f"{description} {_SECRET_HINT}.".strip()
    pattern, min_length, max_length = _text_constraints(info)
    return FormField(
        path=path,
        id=field_id,
        label=label,
        description=description,
        kind=kind,
        group=group,
        required=required,
        default=default,
        has_default=has_default,
        choices=choices,
        pattern=pattern,
        min_length=min_length,
        max_length=max_length,
        secret=secret,
        nested=nested,
        condition=condition,
    )


def _alias(name: str, info: FieldInfo) -> str:
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return info.alias or name


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    annotation = _unannotate(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            inner = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
            return _unannotate(inner), True
    return annotation, False


def _unannotate(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _models_of(annotation: Any) -> tuple[type[BaseModel], ...] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = tuple(_unannotate(a) for a in typing.get_args(annotation))
        if all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return args
    return None


def _discriminator(info: FieldInfo) -> str | None:
    if isinstance(info.discriminator, str):
        return info.discriminator
    for meta in info.metadata:
        found = getattr(meta, "discriminator", None)
        if isinstance(found, str):
            return found
    return None


def _literal_values(annotation: Any) -> tuple[Any, ...] | None:
    annotation = _unannotate(annotation)
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return None


def _default(info: FieldInfo) -> tuple[Any, bool]:
    if info.default is not PydanticUndefined:
        value = info.default
    elif info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    else:
        return None, False
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    elif isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, SecretStr):
        value = None  # a default secret is never written into a diagram
    return value, True


def _text_constraints(info: FieldInfo) -> tuple[str | None, int | None, int | None]:
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    for meta in info.metadata:
        pattern = getattr(meta, "pattern", None) or pattern
        min_length = getattr(meta, "min_length", None) or min_length
        max_length = getattr(meta, "max_length", None) or max_length
    return (
        pattern if isinstance(pattern, str) else None,
        min_length if isinstance(min_length, int) else None,
        max_length if isinstance(max_length, int) else None,
    )
