"""Turn a Pulumi stack configuration into a validated `StackConfig`, or a `ConfigError` listing every problem.

One function, `parse_config`, serves all three ways webstack runs: the stack YAML read by
`ops` offline, the config Pulumi hands the program at `pulumi up`, and a mapping built
by Automation API callers.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from config.compute import SINGLE_APP
from config.errors import ConfigError, Problem
from config.presets import apply_preset
from config.stack import StackConfig
from config.stackfile import read_stack_file
from config.text import printable, quote, words
from config.types import Allowed, Environment

NAMESPACE = "webstack"
REGION_KEY = "aws:region"
# Namespaces the Pulumi engine itself reads (e.g. pulumi:disable-default-providers).
ENGINE_NAMESPACES = ("pulumi",)


def load_stack_file(path: Path) -> StackConfig:
    """Validate the `config:` block of a Pulumi.<stack>.yaml file."""
    return parse_config(read_stack_file(path), source=printable(str(path)))


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
        config = StackConfig.model_validate(document)
    except ValidationError as error:
        compute = settings.get("compute")
        single_app = not (isinstance(compute, Mapping) and "services" in compute)
        problems += [_problem(detail, single_app=single_app) for detail in error.errors(include_url=False)]
    if problems:
        raise ConfigError(source, problems)
    return config


def revalidated(config: StackConfig) -> StackConfig:
    """`config` checked against every rule again, or a ConfigError: the model may have been changed since."""
    try:
        return StackConfig.model_validate(config.model_dump(mode="json", by_alias=True))
    except ValidationError as error:
        raise ConfigError(
            "stack configuration", [_problem(detail) for detail in error.errors(include_url=False)]
        ) from None


def _tier(value: object) -> Environment | None:
    try:
        return Environment(value) if isinstance(value, str) else None
    except ValueError:
        return None


# Pydantic's own messages, said in words: {allowed} is the field's `Allowed` text, {got} the quoted input.
_IN_WORDS: dict[str, str] = {
    "missing": "required",
    "string_type": "must be text; got {got}",
    "int_type": "must be a whole number; got {got}",
    "int_parsing": "must be a whole number; got {got}",
    "int_from_float": "must be a whole number; got {got}",
    "bool_type": "must be true or false; got {got}",
    "bool_parsing": "must be true or false; got {got}",
    "greater_than_equal": "must be at least {ge}; got {got}",
    "less_than_equal": "must be at most {le}; got {got}",
    "greater_than": "must be more than {gt}; got {got}",
    "less_than": "must be less than {lt}; got {got}",
    "string_too_short": "must be at least {min_length} characters; got {length}",
    "string_too_long": "must be at most {max_length} characters; got {length}",
    "too_long": "may have at most {max_length} entries; got {actual_length}",
    "too_short": "needs at least {min_length} {entries}; got {actual_length}",
    "string_pattern_mismatch": "must be {allowed}; got {got}",
    "enum": "must be {expected}; got {got}",
    "literal_error": "must be {expected}; got {got}",
    "dict_type": "must be a mapping of keys (an indented block of `key: value` lines); got {got}",
    "model_type": "must be a mapping of keys (an indented block of `key: value` lines); got {got}",
    "model_attributes_type": "must be a mapping of keys (an indented block of `key: value` lines); got {got}",
    "list_type": "must be a list (`[a, b]` or lines starting with `- `); got {got}",
    "union_tag_not_found": "needs `kind`: fargate or ec2",
}
# Messages our own validators wrote: already in words.
_OWN_MESSAGES = {"tier_rule", "cross_field", "value_error", "entry"}


def _problem(detail: ErrorDetails, *, single_app: bool = False) -> Problem:
    kind = detail["type"]
    # An unknown key is reported as the user wrote it, even when it is a field's Python name.
    parts, model, field = _walk(detail["loc"], as_written=kind == "extra_forbidden")
    if single_app and parts[:3] == ["compute", "services", SINGLE_APP]:
        # The stack file wrote this app's keys directly under compute: name them where they were written.
        parts = ["compute", *parts[3:]]
    key = REGION_KEY if parts == ["region"] else f"{NAMESPACE}:" + ".".join(parts)
    if kind == "extra_forbidden":
        return Problem(key, _unknown_key(parts[-1], model))
    if kind == "union_tag_invalid":
        # Pydantic reports a bad `kind` at its section; the key at fault is the tag itself.
        context = detail.get("ctx", {})
        field_name = context["discriminator"].strip("'")
        tags = " or ".join(tag.strip(" '") for tag in context["expected_tags"].split(","))
        return Problem(f"{key}.{field_name}", f"must be {tags}; got {quote(context['tag'])}")
    if kind in _OWN_MESSAGES:
        return Problem(key, detail["msg"].removeprefix("Value error, "))
    if kind in ("too_short", "too_long") and isinstance(detail["input"], str):
        kind = f"string_{kind}"  # a length constraint on text: say characters, not entries
    if kind == "string_too_short" and detail["input"] == "":
        return Problem(key, "must not be empty")
    template = _IN_WORDS.get(kind)
    if template is None:
        return Problem(key, f"{detail['msg']}; got {quote(detail['input'])}")
    # A bound of a decimal field is a float: 100.0 reads as 100.
    context = {
        name: f"{value:g}" if isinstance(value, float) else value for name, value in detail.get("ctx", {}).items()
    }
    if "expected" in context:
        parts = [part.strip(" '") for part in str(context["expected"]).replace(" or ", ", ").split(",")]
        # Python spells the literal booleans True and False; YAML and the user write true and false.
        context["expected"] = words({"True": "true", "False": "false"}.get(part, part) for part in parts)
    value = detail["input"]
    context["got"] = quote(value) + _quoting_hint(kind, value)
    context["entries"] = "entry" if context.get("min_length") == 1 else "entries"
    context["length"] = f"{len(value)} characters" if isinstance(value, str) else ""
    context["allowed"] = _allowed(field) or "in the allowed form"
    return Problem(key, template.format(**context))


def _quoting_hint(kind: str, value: object) -> str:
    """When YAML typed a value the field wants as text, say how to keep it text."""
    if kind == "string_type" and isinstance(value, int | float | bool):
        return " (YAML typed it; put the value in quotes)"
    return ""


def _allowed(field: Any) -> str | None:
    """The `Allowed` text of a field or of its type, if it has one."""
    if field is None:
        return None
    annotation = getattr(field, "annotation", None)
    # A list's entries carry their own (compute.services.<name>.routing.paths[0]).
    entries = [arg for arg in typing.get_args(annotation) if typing.get_origin(annotation) is list]
    for marker in (
        *getattr(field, "metadata", ()),
        *typing.get_args(annotation),
        *(inner for entry in entries for inner in typing.get_args(entry)),
    ):
        if isinstance(marker, Allowed):
            return marker.text
    return None


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return "unknown key"
    allowed = [field.alias or name for name, field in model.model_fields.items()]
    if model is StackConfig:
        allowed = [name for name in allowed if name != "region"]
    if to_camel(key) in allowed and to_camel(key) != key:
        hint = f"write it as {to_camel(key)} (config keys are camelCase); "
    else:
        guess = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {guess[0]}? " if guess else ""
    return f"unknown key; {hint}allowed here: {', '.join(allowed)}"


def _walk(loc: tuple[int | str, ...], *, as_written: bool = False) -> tuple[list[str], type[BaseModel] | None, Any]:
    """The config key parts of a pydantic error location, the model that holds the last one, and its field.

    Discriminated unions put the chosen tag (`fargate`) in the location; it is not a key.
    """
    parts: list[str] = []
    model: type[BaseModel] | None = StackConfig
    holder: type[BaseModel] | None = StackConfig
    field: Any = None
    members: dict[str, type[BaseModel]] = {}
    entries: type[BaseModel] | None = None
    key_type: Any = None
    for index, part in enumerate(loc):
        if as_written and index == len(loc) - 1:
            holder = model
            parts.append(str(part))
            break
        if isinstance(part, str) and part in members:
            model, members = members[part], {}
            continue
        if entries is not None:
            # A key of a mapping of sections (compute.services.<name>): a key as written, then its section.
            parts.append(str(part))
            model, entries = entries, None
            continue
        if part == "[key]" and key_type is not None:
            # The key itself is at fault (compute.services.<name>): its type says what is allowed.
            field = types.SimpleNamespace(annotation=key_type, metadata=())
            continue
        if isinstance(part, int) or part == "[key]":
            parts[-1] += f"[{part}]" if isinstance(part, int) else ""
            continue
        holder = model
        key, field = _field(model, part)
        parts.append(key)
        model, members = None, {}
        annotation = field.annotation if field is not None else None
        if typing.get_origin(annotation) is dict and _is_model(typing.get_args(annotation)[1]):
            key_type, entries = typing.get_args(annotation)
        elif annotation is not None:
            candidates = [arg for arg in typing.get_args(annotation) or (annotation,) if _is_model(arg)]
            if len(candidates) == 1:
                model = candidates[0]
            elif candidates:
                members = {_tag(candidate): candidate for candidate in candidates}
    return parts, holder, field


def _field(model: type[BaseModel] | None, key: str) -> tuple[str, Any]:
    """The config spelling of a key (errors on defaults carry the Python name) and its field."""
    for name, field in (model.model_fields if model else {}).items():
        if key in (name, field.alias):
            return field.alias or name, field
    return key, None


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _tag(model: type[BaseModel]) -> str:
    (tag,) = typing.get_args(model.model_fields["kind"].annotation)
    return str(tag)
