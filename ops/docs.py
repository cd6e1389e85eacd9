"""Generate docs/config.md, the configuration reference, from the config models and presets.

Descriptions come from `Field(description=...)`, allowed values from the types, defaults
per tier from validating each tier's preset, and prod invariants from the `TierRule`s.
Nothing here is written by hand, so the reference cannot drift from the code.
"""

from __future__ import annotations

import enum
import types
import typing
from pathlib import Path
from typing import Any

from annotated_types import Ge, Le, MaxLen
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from config.base import TierRule
from config.compute import SINGLE_APP, Ec2Config, Ec2ServiceConfig, FargateConfig, FargateServiceConfig
from config.loader import parse_config
from config.stack import StackConfig
from config.text import yaml_text
from config.types import Allowed, Environment

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "config.md"

# Just enough of a stack for each tier to validate; every other value comes from the preset.
_REQUIRED = {"aws:region": "eu-west-1", "webstack:owner": "team", "webstack:costCenter": "cc"}
_PROD_ONLY = {
    "webstack:accountId": "111111111111",
    "webstack:edge": {"domainName": "app.example.com", "hostedZoneId": "Z0123456789", "hostedZoneName": "example.com"},
    "webstack:compute": {"image": "public.ecr.aws/nginx/nginx:1.27"},
}


def _tier_defaults(kind: str) -> dict[Environment, StackConfig]:
    configs = {}
    for tier in Environment:
        values: dict[str, Any] = {**_REQUIRED, "webstack:environment": tier.value}
        if tier is Environment.PROD:
            values.update(_PROD_ONLY)
        values["webstack:compute"] = {**values.get("webstack:compute", {}), "kind": kind}
        configs[tier] = parse_config(values, source=f"{tier.value} preset")
    return configs


def _type_text(annotation: Any, field: FieldInfo | None = None) -> str:
    metadata = list(field.metadata) if field else []
    allowed = next((m.text for m in metadata if isinstance(m, Allowed)), None)
    if allowed:
        return allowed
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        allowed = next((m.text for m in extra if isinstance(m, Allowed)), None)
        return allowed or _type_text(inner)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        text = " or ".join(_type_text(arg) for arg in options)
        return f"{text} (optional)" if type(None) in typing.get_args(annotation) else text
    if origin is typing.Literal:
        return " or ".join(f"`{arg}`" for arg in typing.get_args(annotation))
    if origin is dict:
        return "map of name to string"
    if origin is list:
        (item,) = typing.get_args(annotation)
        limit = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
        return f"list of {_type_text(item)}" + (f" (at most {limit})" if limit else "")
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " or ".join(f"`{member.value}`" for member in annotation)
    if annotation is bool:
        return "`true` or `false`"
    if annotation is int:
        low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
        high = next((m.le for m in metadata if isinstance(m, Le)), None)
        if low is not None and high is not None:
            return f"integer {low}-{high}"
        return "integer" + (f" >= {low}" if low is not None else "")
    if annotation is str:
        return "string"
    return getattr(annotation, "__name__", str(annotation))


def _rules(field: FieldInfo) -> str:
    found = [m.func for m in field.metadata if isinstance(m, AfterValidator) and isinstance(m.func, TierRule)]
    return "; ".join(f"{'/'.join(t.value for t in rule.tiers)}: must be {rule.allowed}" for rule in found)


def _value(config: BaseModel | None, name: str) -> str:
    if config is None:
        return ""
    value = getattr(config, name)
    if isinstance(value, dict | list) and not value:
        return "(none)"
    return f"`{yaml_text(value)}`"


def _defaults(model: type[BaseModel], name: str, configs: dict[Environment, BaseModel | None]) -> str:
    field = model.model_fields[name]
    if model is StackConfig or all(config is None for config in configs.values()):
        # Top-level keys have no presets, nor do the keys of an optional section no tier sets: one default.
        return "required" if field.is_required() else f"`{yaml_text(field.get_default(call_default_factory=True))}`"
    return " \\| ".join(_value(configs[tier], name) for tier in Environment)


def _section(
    lines: list[str], title: str, prefix: str, model: type[BaseModel], configs: dict[Environment, BaseModel | None]
) -> None:
    nested: list[tuple[str, type[BaseModel], dict[Environment, BaseModel | None]]] = []
    rows = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        full = f"{prefix}.{key}" if prefix else ("aws:region" if key == "region" else f"webstack:{key}")
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((full, annotation, {t: getattr(c, name) if c else None for t, c in configs.items()}))
            continue
        if key == "compute":
            continue  # a union: documented per kind below
        optional = _optional_model(annotation)
        if optional is not None:  # its own row (unset by default), and its keys below
            nested.append((full, optional, {t: getattr(c, name) if c else None for t, c in configs.items()}))
        rule = _rules(field)
        description = (field.description or "") + (f" **Rule:** {rule}." if rule else "")
        rows.append(
            f"| `{full}` | {_type_text(annotation, field)} | {_defaults(model, name, configs)} | {description} |"
        )
    if rows:
        lines += [f"## {title}", "", (model.__doc__ or "").strip().split("\n")[0], ""]
        lines += ["| Key | Allowed | Default (dev \\| stage \\| prod) | Description |", "|---|---|---|---|", *rows, ""]
    for sub_prefix, sub_model, sub_configs in nested:
        _section(lines, f"`{sub_prefix}`", sub_prefix, sub_model, sub_configs)


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """The section of an optional one (`ScheduleConfig | None`), else None."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if len(members) == 1 and isinstance(members[0], type) and issubclass(members[0], BaseModel):
        return members[0]
    return None


def render_reference() -> str:
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m ops docs` from the models in config/. Do not edit by hand. -->",
        "",
        "Every key lives in a stack file (`Pulumi.<stack>.yaml`) under `config:`. Structured keys are YAML",
        "objects with camelCase keys; unknown keys are errors. Defaults depend on `webstack:environment`",
        "(columns dev | stage | prod); a stack file states only what differs. A rule marked for prod cannot",
        "be switched off: a prod config that tries is rejected with the reason.",
        "",
    ]
    fargate = _tier_defaults("fargate")
    _section(lines, "Top level", "", StackConfig, dict(fargate.items()))
    ec2 = _tier_defaults("ec2")
    key = "webstack:compute"
    service = f"{key}.services.<name>"
    # The single app of a stack file written for one sets these keys directly under webstack:compute.
    single = f"(a single app may set them directly under `{key}`: it is the service `{SINGLE_APP}`)"
    for kind, cluster, member, configs in (
        ("fargate", FargateConfig, FargateServiceConfig, fargate),
        ("ec2", Ec2Config, Ec2ServiceConfig, ec2),
    ):
        _section(lines, f"`{key}` with `kind: {kind}`", key, cluster, {t: c.compute for t, c in configs.items()})
        services: dict[Environment, BaseModel | None] = {t: c.compute.services[SINGLE_APP] for t, c in configs.items()}
        _section(lines, f"`{service}` with `kind: {kind}` {single}", service, member, services)
    return "\n".join(lines).rstrip() + "\n"
