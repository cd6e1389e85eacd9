"""The base model every config section derives from, and the two ways a section states rules.

- `TierRule`: a field-level rule that binds only in some tiers ("`multiAz` must be true
  in prod"). It runs as a field validator, so every broken invariant is reported beside
  every other field error, at the field's own key.
- `ConfigModel.problems()`: rules across fields of one section ("minCount <= desiredCount").
  They are raised with the key of the field at fault, not of the section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from config.types import Environment

# Validation context key under which the loader passes the environment tier.
TIER = "environment"


def render(value: object) -> str:
    """A value as it is written in YAML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if value is None:
        return "unset"
    return str(value)


@dataclass(frozen=True)
class TierRule:
    """A rule that binds in some environment tiers only; the prod invariants are these."""

    tiers: tuple[Environment, ...]
    check: Callable[[Any], bool]
    allowed: str
    why: str

    def __call__(self, value: Any, info: ValidationInfo) -> Any:
        tier = (info.context or {}).get(TIER)
        if tier in self.tiers and not self.check(value):
            when = " or ".join(t.value for t in self.tiers)
            raise PydanticCustomError(
                "tier_rule",
                "must be {allowed} when webstack:environment is {when} ({why}); got {got}",
                {"allowed": self.allowed, "when": when, "why": self.why, "got": render(value)},
            )
        return value


def required_in(tiers: tuple[Environment, ...], expected: Any, why: str) -> AfterValidator:
    """The field must equal `expected` in these tiers."""
    return AfterValidator(TierRule(tiers, lambda value: value == expected, render(expected), why))


def at_least_in(tiers: tuple[Environment, ...], minimum: int, why: str) -> AfterValidator:
    """The field must be at least `minimum` in these tiers."""
    return AfterValidator(TierRule(tiers, lambda value: value >= minimum, f"at least {minimum}", why))


def one_of_in(tiers: tuple[Environment, ...], allowed: tuple[Any, ...], why: str) -> AfterValidator:
    """The field must be one of `allowed` in these tiers."""
    text = " or ".join(render(value) for value in allowed)
    return AfterValidator(TierRule(tiers, lambda value: value in allowed, text, why))


PROD = (Environment.PROD,)


class ConfigModel(BaseModel):
    """Base of every section: unknown keys are errors, camelCase keys, immutable once valid."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        validate_default=True,
        use_attribute_docstrings=False,
    )

    def problems(self) -> Iterator[tuple[str, str]]:
        """Rules across this section's fields: yield (field name, message) for each broken one."""
        return iter(())

    @model_validator(mode="after")
    def _report_problems(self) -> Self:
        fields = type(self).model_fields
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("cross_field", message),
                loc=(fields[name].alias or name,),
                input=getattr(self, name),
            )
            for name, message in self.problems()
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self
