"""Settings declared once: a pydantic model whose fields are the keys of a Pulumi project.

Each field holds a key's type, default, allowed range or choices, checks and description. From
the model come the project's `config:` block (`pulumi_config`, which Pulumi.yaml must equal)
and the validation of raw configuration, from a stack file or from the engine (`validate`):
every pydantic error becomes a `Problem` naming the key and the value as the user wrote them,
and each program phrases those problems its own way.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

T = TypeVar("T")
Model = TypeVar("Model", bound=BaseModel)
_RULE = "setting_rule"
_RANGE_ERRORS = ("greater_than_equal", "less_than_equal")


def _from_engine(value: Any) -> Any:
    """The engine hands every value over as a string, the non-string ones in their JSON form;
    a string that is not JSON is left for the type check to refuse."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _boolean_from_engine(value: Any) -> Any:
    """true and false in any case, as people write them in YAML."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


# Types of keys that are not strings: a stack file gives them as YAML, the engine as JSON text.
FROM_ENGINE = BeforeValidator(_from_engine)
Integer = Annotated[int, FROM_ENGINE]
Boolean = Annotated[bool, BeforeValidator(_boolean_from_engine)]
Strings = Annotated[list[str], FROM_ENGINE]


class Declaration(BaseModel):
    """Base of a program's settings: keys as Pulumi writes them, values exactly of their type
    (strict: no "yes" for true, no 2.0 for 2), unknown keys refused, defaults checked too."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        strict=True,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )


def rule_broken(problem: str, *, key: str | None = None, value: Any = None) -> PydanticCustomError:
    """The error a check raises: `problem` says what is wrong and what is allowed. A rule about
    two keys may name the other one (`key`, `value`) as the one to fix."""
    context: dict[str, Any] = {"problem": problem}
    if key is not None:
        context |= {"key": key, "value": value}
    return PydanticCustomError(_RULE, "{problem}", context)


def check(problem_of: Callable[[T], str | None]) -> AfterValidator:
    """A field check from a function that returns the problem with a value, or None."""

    def validate(value: T) -> T:
        problem = problem_of(value)
        if problem is not None:
            raise rule_broken(problem)
        return value

    return AfterValidator(validate)


def unless_empty(problem_of: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """For optional strings, where empty means "not used"."""
    return lambda value: problem_of(value) if value else None


def one_of(choices: tuple[str, ...]) -> AfterValidator:
    allowed = f"is not allowed; allowed: {', '.join(choices)}"
    return check(lambda value: None if value in choices else allowed)


@dataclass(frozen=True)
class Problem:
    key: str  # as written in the configuration (camelCase)
    value: Any  # as given; None when the key is not set
    # A key not declared, a required key not set, a value not of the key's type, a number
    # outside the key's range, or a broken rule (what a check said: `text`).
    kind: Literal["unknown", "missing", "type", "range", "rule"]
    text: str = ""
    field: FieldInfo | None = None

    @property
    def pulumi_type(self) -> str:
        return str(_pulumi_spec(self.field)["type"]) if self.field else "string"

    @property
    def bounds(self) -> tuple[Any, Any]:
        """The declared (low, high) of a range problem."""
        metadata = self.field.metadata if self.field else []
        low = next(m.ge for m in metadata if isinstance(m, annotated_types.Ge))
        high = next(m.le for m in metadata if isinstance(m, annotated_types.Le))
        return low, high


def validate(model: type[Model], raw: Mapping[str, Any]) -> tuple[Model | None, list[Problem]]:
    """The settings, or every problem with them (`raw` holds keys without their namespace)."""
    try:
        return model.model_validate(dict(raw)), []
    except ValidationError as error:
        return None, [_problem(e, raw, model) for e in error.errors(include_url=False)]


def value_problem(model: type[BaseModel], key: str, value: Any) -> Problem | None:
    """The problem with one value of `key` alone (the rules between keys need the whole set)."""
    try:
        _adapter(model, key).validate_python(value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        first["loc"] = (key, *first["loc"])
        return _problem(first, {key: value}, model)
    return None


def pulumi_config(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """The `config:` block of the model's Pulumi.yaml: type, description and default per key."""
    block: dict[str, dict[str, Any]] = {}
    for key, field in _fields(model).items():
        spec = _pulumi_spec(field) | {"description": field.description}
        if not field.is_required() and field.default is not None:
            spec["default"] = field.default
        block[key] = spec
    return block


def _problem(error: ErrorDetails, raw: Mapping[str, Any], model: type[BaseModel]) -> Problem:
    fields = _fields(model)
    key = str(error["loc"][0])
    # A default that breaks a rule is located by the field's name, a given value by its key.
    if key in model.model_fields:
        key = model.model_fields[key].alias or key
    field = fields.get(key)
    context = error.get("ctx") or {}
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(fields), n=1)
        hint = f"did you mean {close[0]}?" if close else "see Pulumi.yaml for the keys"
        return Problem(key, raw[key], "unknown", f"is not a known setting; {hint}")
    if error["type"] == "missing":
        return Problem(key, None, "missing", field=field)
    if error["type"] == _RULE:
        named = context.get("key", key)
        value = context["value"] if "key" in context else _as_checked(error, field)
        return Problem(named, value, "rule", context["problem"], fields.get(named))
    if error["type"] in _RANGE_ERRORS:
        return Problem(key, _as_checked(error, field), "range", field=field)
    return Problem(key, raw.get(key), "type", field=field)


def _as_checked(error: ErrorDetails, field: FieldInfo | None) -> Any:
    """The value a check refused: pydantic reports a key's input as given, an engine string
    for a number, say, while the check saw the number (an item of a list is already one)."""
    whole_value = len(error["loc"]) == 1
    if whole_value and field is not None and _pulumi_spec(field)["type"] != "string":
        return _from_engine(error["input"])
    return error["input"]


def _pulumi_spec(field: FieldInfo) -> dict[str, Any]:
    """Pulumi's type of a field (its schema has string, integer, boolean and array of string)."""
    schema = TypeAdapter(_checked_type(field)).json_schema()
    schema = next(s for s in schema.get("anyOf", [schema]) if s.get("type") != "null")
    spec = {"type": schema["type"]}
    if "items" in schema:
        spec["items"] = {"type": schema["items"]["type"]}
    return spec


@cache
def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {field.alias or name: field for name, field in model.model_fields.items()}


@cache
def _adapter(model: type[BaseModel], key: str) -> TypeAdapter[Any]:
    return TypeAdapter(_checked_type(_fields(model)[key]), config=ConfigDict(strict=True))


def _checked_type(field: FieldInfo) -> Any:
    """A field's type with its constraints and checks, as an annotation pydantic reads."""
    return Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
