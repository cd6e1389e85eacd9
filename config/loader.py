"""Turn a Pulumi stack configuration into a validated `StackConfig`, or a `ConfigError` listing every problem.

One function, `parse_config`, serves all three ways webstack runs: the stack YAML read by
`ops` offline, the config Pulumi hands the program at `pulumi up`, and a mapping built
by Automation API callers.
"""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.base import TIER, render
from config.errors import ConfigError, Problem, StackFileError
from config.presets import apply_preset
from config.stack import StackConfig
from config.types import Environment

NAMESPACE = "webstack"
REGION_KEY = "aws:region"
# Namespaces the Pulumi engine itself reads (e.g. pulumi:disable-default-providers).
ENGINE_NAMESPACES = ("pulumi",)


def load_stack_file(path: Path) -> StackConfig:
    """Validate the `config:` block of a Pulumi.<stack>.yaml file."""
    return parse_config(read_stack_file(path), source=str(path))


def read_stack_file(path: Path) -> dict[str, Any]:
    """The raw `config:` mapping of a stack file, keys namespaced as Pulumi writes them."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such stack file; create it or pass --config FILE") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    if document is None:
        document = {}
    if not isinstance(document, Mapping) or not isinstance(document.get("config", {}), Mapping):
        raise StackFileError(f"{path}: expected a mapping with a `config:` block of `webstack:` keys")
    unexpected = sorted(set(document) - {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
    if unexpected:
        raise StackFileError(
            f"{path}: unknown top-level key(s) {', '.join(unexpected)}; stack settings go under `config:`"
        )
    return dict(document.get("config") or {})


def load_pulumi_config() -> StackConfig:
    """Validate the config of the running Pulumi program (`pulumi up`, `pulumi preview`, the offline plan)."""
    from pulumi.runtime import config as runtime  # only a running program needs the SDK

    # The language host passes config in PULUMI_CONFIG; tests and the offline plan set it directly.
    return parse_pulumi_config({**runtime.get_config_env(), **runtime.CONFIG.get()})


def parse_pulumi_config(values: Mapping[str, str]) -> StackConfig:
    """Validate the config Pulumi passes a running program: structured values arrive as JSON text."""
    decoded: dict[str, Any] = {}
    for key, text in values.items():
        try:
            decoded[key] = json.loads(text) if text[:1] in "{[" else text
        except json.JSONDecodeError:
            decoded[key] = text
    return parse_config(decoded, source="stack configuration")


def parse_config(values: Mapping[str, Any], *, source: str = "stack configuration") -> StackConfig:
    """Validate namespaced config (`webstack:network`, `aws:region`, ...) against the tier's presets and rules."""
    problems: list[Problem] = []
    settings: dict[str, Any] = {}
    for key, value in values.items():
        namespace, _, name = str(key).partition(":")
        if namespace == NAMESPACE and name:
            settings[name] = value
        elif key == REGION_KEY:
            settings["region"] = value
        elif namespace == "aws":
            problems.append(
                Problem(
                    str(key),
                    "webstack's AWS providers are explicit and never read `aws:` settings other than aws:region; "
                    "remove it (credentials come from the environment, tags from webstack:tags)",
                )
            )
        elif namespace not in ENGINE_NAMESPACES:
            # A mistyped namespace would otherwise drop a whole section in favour of the presets.
            guess = difflib.get_close_matches(namespace, [NAMESPACE, "aws", *ENGINE_NAMESPACES], n=1)
            hint = f"did you mean {guess[0]}:{name}? " if guess else ""
            problems.append(Problem(str(key), f"unknown key; {hint}webstack reads webstack: keys and aws:region"))
    if "region" in settings and f"{NAMESPACE}:region" in values:
        problems.append(Problem(f"{NAMESPACE}:region", f"the region is set with {REGION_KEY}; remove this key"))

    tier = _tier(settings.get("environment"))
    document = apply_preset(tier or Environment.DEV, settings)
    try:
        config = StackConfig.model_validate(document, context={TIER: tier})
    except ValidationError as error:
        problems += [_problem(detail) for detail in error.errors(include_url=False)]
    if problems:
        raise ConfigError(source, problems)
    return config


def _tier(value: object) -> Environment | None:
    try:
        return Environment(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _problem(detail: ErrorDetails) -> Problem:
    parts, model = _walk(detail["loc"])
    key = REGION_KEY if parts == ["region"] else f"{NAMESPACE}:" + ".".join(parts)
    kind = detail["type"]
    if kind == "extra_forbidden":
        return Problem(key, _unknown_key(parts[-1], model))
    if kind == "missing":
        return Problem(key, "required")
    if kind == "union_tag_invalid":
        # Pydantic reports a bad `kind` at its section; the key at fault is the tag itself.
        context = detail.get("ctx", {})
        field = context["discriminator"].strip("'")
        tags = " or ".join(tag.strip(" '") for tag in context["expected_tags"].split(","))
        return Problem(f"{key}.{field}", f"must be {tags}; got {context['tag']}")
    message = detail["msg"].removeprefix("Value error, ")
    if kind not in {"tier_rule", "cross_field", "value_error"}:
        message += f" (got {render(detail['input'])})" if not isinstance(detail["input"], Mapping) else ""
    return Problem(key, message)


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return "unknown key"
    allowed = [field.alias or name for name, field in model.model_fields.items()]
    if model is StackConfig:
        allowed = [name for name in allowed if name != "region"]
    guess = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {guess[0]}? " if guess else ""
    return f"unknown key; {hint}allowed here: {', '.join(allowed)}"


def _walk(loc: tuple[int | str, ...]) -> tuple[list[str], type[BaseModel] | None]:
    """The config key parts of a pydantic error location, and the model that holds the last one.

    Discriminated unions put the chosen tag (`fargate`) in the location; it is not a key.
    """
    parts: list[str] = []
    model: type[BaseModel] | None = StackConfig
    holder: type[BaseModel] | None = StackConfig
    members: dict[str, type[BaseModel]] = {}
    for part in loc:
        if isinstance(part, str) and part in members:
            model, members = members[part], {}
            continue
        if isinstance(part, int) or part == "[key]":
            parts[-1] += f"[{part}]" if isinstance(part, int) else ""
            continue
        holder = model
        key, field = _field(model, part)
        parts.append(key)
        model, members = None, {}
        if field is not None:
            candidates = [arg for arg in typing.get_args(field) or (field,) if _is_model(arg)]
            if len(candidates) == 1:
                model = candidates[0]
            elif candidates:
                members = {_tag(candidate): candidate for candidate in candidates}
    return parts, holder


def _field(model: type[BaseModel] | None, key: str) -> tuple[str, Any]:
    """The config spelling of a key (errors on defaults carry the Python name) and its type."""
    for name, field in (model.model_fields if model else {}).items():
        if key in (name, field.alias):
            return field.alias or name, field.annotation
    return key, None


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _tag(model: type[BaseModel]) -> str:
    (tag,) = typing.get_args(model.model_fields["kind"].annotation)
    return str(tag)
