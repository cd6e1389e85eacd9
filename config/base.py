"""The base model every config section derives from, and the two ways a section states rules.

- `TierRule`: a field-level rule that binds only in some tiers ("`multiAz` must be true
  in prod"). The tier comes from the stack being validated (config/scope.py), which the
  root model binds itself: the prod rules hold however a `StackConfig` is validated.
- `Rule` (made with `@rule(...)`, listed in a section's `rules`): a rule across fields of
  one section ("minCount <= desiredCount"). It declares the fields it reads, sees only
  those, and runs whenever they are valid, even when another field of the section is
  not, so every problem is reported at once. It reports at the key of the field at
  fault, not of the section (a rule of the root may point inside a section with a
  dotted name: `security.accessHost.enabled`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from config.scope import Environment, current_scope
from config.text import quote, yaml_text

PROD = (Environment.PROD,)


@dataclass(frozen=True)
class TierRule:
    """A rule that binds in some environment tiers only; the prod invariants are these."""

    tiers: tuple[Environment, ...]
    check: Callable[[Any], bool]
    allowed: str
    why: str

    def __call__(self, value: Any) -> Any:
        if current_scope().environment in self.tiers and not self.check(value):
            when = " or ".join(t.value for t in self.tiers)
            raise PydanticCustomError(
                "tier_rule",
                "must be {allowed} when webstack:environment is {when} ({why}); got {got}",
                {"allowed": self.allowed, "when": when, "why": self.why, "got": quote(value)},
            )
        return value


def required_in(tiers: tuple[Environment, ...], expected: Any, why: str) -> AfterValidator:
    """The field must equal `expected` in these tiers."""
    return AfterValidator(TierRule(tiers, lambda value: value == expected, yaml_text(expected), why))


def at_least_in(tiers: tuple[Environment, ...], minimum: int, why: str) -> AfterValidator:
    """The field must be at least `minimum` in these tiers."""
    return AfterValidator(TierRule(tiers, lambda value: value >= minimum, f"at least {minimum}", why))


def one_of_in(tiers: tuple[Environment, ...], allowed: tuple[Any, ...], why: str) -> AfterValidator:
    """The field must be one of `allowed` in these tiers."""
    text = " or ".join(yaml_text(value) for value in allowed)
    return AfterValidator(TierRule(tiers, lambda value: value in allowed, text, why))


@dataclass(frozen=True)
class Rule:
    """A rule across fields of one section: reads exactly `reads`, yields (field at fault, message)."""

    reads: tuple[str, ...]
    check: Callable[[Any], Iterator[tuple[str, str]]]


def rule(*reads: str) -> Callable[[Callable[[Any], Iterator[tuple[str, str]]]], Rule]:
    """Make a function a section rule over the fields `reads` (Python names); it sees only those fields."""

    def make(check: Callable[[Any], Iterator[tuple[str, str]]]) -> Rule:
        return Rule(reads, check)

    return make


class ConfigModel(BaseModel):
    """Base of every section: unknown keys are errors, camelCase keys only, immutable once valid."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        validate_default=True,
        use_attribute_docstrings=False,
    )

    # Rules across this section's fields; a subclass extends its base's tuple.
    rules: ClassVar[tuple[Rule, ...]] = ()
    _field_adapters: ClassVar[dict[str, TypeAdapter[Any]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for section_rule in cls.rules:
            unknown = set(section_rule.reads) - set(cls.model_fields)
            assert not unknown, f"{cls.__name__}: {section_rule.check.__name__} reads unknown fields {unknown}"
        cls._field_adapters = {}

    @classmethod
    def _enter_scope(cls, data: Any) -> AbstractContextManager[None]:
        """The scope this model binds while it validates; only the root binds one."""
        return nullcontext()

    @model_validator(mode="wrap")
    @classmethod
    def _validate_with_rules(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        with cls._enter_scope(data):
            try:
                model = handler(data)
            except ValidationError as error:
                if not cls.rules or not isinstance(data, Mapping):
                    raise
                problems = cls._check_rules(cls._valid_fields(data, error))
                if not problems:
                    raise
                raise ValidationError.from_exception_data(cls.__name__, [*_line_errors(error), *problems]) from None
            problems = cls._check_rules({name: getattr(model, name) for name in cls.model_fields})
            if problems:
                raise ValidationError.from_exception_data(cls.__name__, problems)
            return model

    @classmethod
    def _check_rules(cls, values: dict[str, Any]) -> list[InitErrorDetails]:
        """Run every rule whose fields are all among `values`, each on exactly those fields."""
        problems = []
        for section_rule in cls.rules:
            if all(name in values for name in section_rule.reads):
                view = types.SimpleNamespace(**{name: values[name] for name in section_rule.reads})
                for name, message in section_rule.check(view):
                    # A rule across sections may point inside one: `security.accessHost.enabled` (its config keys).
                    name, _, inside = name.partition(".")
                    field = cls.model_fields[name]
                    problems.append(
                        InitErrorDetails(
                            type=PydanticCustomError("cross_field", _literal(message)),
                            loc=(field.alias or name, *(inside.split(".") if inside else ())),
                            input=values.get(name),
                        )
                    )
        return problems

    @classmethod
    def _valid_fields(cls, data: Mapping[str, Any], error: ValidationError) -> dict[str, Any]:
        """The validated value of every field the rules read that did not fail, validated on its own."""
        failed = {detail["loc"][0] for detail in error.errors() if detail["loc"]}
        needed = {name for section_rule in cls.rules for name in section_rule.reads}
        values: dict[str, Any] = {}
        for name in needed:
            field = cls.model_fields[name]
            key = field.alias or name
            if key in failed:
                continue
            raw = data[key] if key in data else field.get_default(call_default_factory=True, validated_data={})
            adapter = cls._field_adapters.get(name)
            if adapter is None:
                annotated: Any = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
                adapter = cls._field_adapters[name] = TypeAdapter(annotated)
            try:
                values[name] = adapter.validate_python(raw)
            except ValidationError:
                continue
        return values


_KNOWN_ERROR_TYPES = frozenset(typing.get_args(core_schema.ErrorType))


def _literal(message: str) -> str:
    """A message as a PydanticCustomError template that formats to itself."""
    return message.replace("{", "{{").replace("}", "}}")


def _line_errors(error: ValidationError) -> list[InitErrorDetails]:
    """The errors of `error` in the form `ValidationError.from_exception_data` takes back."""
    lines: list[InitErrorDetails] = []
    for detail in error.errors(include_url=False):
        kind = detail["type"]
        line = InitErrorDetails(
            type=kind if kind in _KNOWN_ERROR_TYPES else PydanticCustomError(kind, _literal(detail["msg"])),
            loc=detail["loc"],
            input=detail["input"],
        )
        if kind in _KNOWN_ERROR_TYPES and "ctx" in detail:
            line["ctx"] = detail["ctx"]
        lines.append(line)
    return lines
