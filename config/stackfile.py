"""Read a Pulumi.<stack>.yaml the way the Pulumi engine will, and refuse what it would silently change.

A stack file is untrusted input, so reading it is bounded and strict:

- size, encoding and nesting are limited; a directory or a binary file is a clear error;
- YAML aliases may not expand past `MAX_NODES` values (a few hundred bytes can otherwise
  expand to billions) and may not refer to themselves;
- a key given twice in one mapping is an error naming both lines (YAML keeps the last
  one silently; the Pulumi CLI refuses the file);
- scalars are read as Pulumi's YAML library reads them: top-level `config:` values are
  the text as written (`webstack:costCenter: 4711` is the text "4711"), `yes`/`on` are
  text, not booleans, and `1:20` is text, not sexagesimal 80;
- a plain scalar YAML would change on the way is an error asking for quotes: a number
  that does not read back as written (`1.10` becomes 1.1, `0755` becomes 493) and a date.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from config.errors import ConfigError, Problem, StackFileError
from config.text import printable, quote

MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 32


def stack_file_name(stack: str) -> str:
    """The file the Pulumi CLI reads a stack's config from, beside Pulumi.yaml: the one place that says so."""
    return f"Pulumi.{stack}.yaml"


# Top-level keys of a stack file besides `config:` that Pulumi itself writes.
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")


class _StackFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading scalars as the Pulumi CLI's YAML library (YAML 1.2 core) does."""

    def construct_yaml_bool(self, node: ScalarNode) -> Any:
        # yes/no/on/off are text in YAML 1.2; only true/false are booleans.
        if node.value.lower() in ("true", "false"):
            return node.value.lower() == "true"
        return node.value

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        # 1:20 is text in YAML 1.2, not the sexagesimal 80.
        return node.value if ":" in node.value else super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        return node.value if ":" in node.value else super().construct_yaml_float(node)


_StackFileLoader.add_constructor(_BOOL, _StackFileLoader.construct_yaml_bool)
_StackFileLoader.add_constructor(_INT, _StackFileLoader.construct_yaml_int)
_StackFileLoader.add_constructor(_FLOAT, _StackFileLoader.construct_yaml_float)


def read_stack_file(path: Path) -> dict[str, Any]:
    """The raw `config:` mapping of a stack file, keys namespaced as Pulumi writes them."""
    name = printable(str(path))
    root = _compose(path, _read_text(path, name), name)
    if root is None:
        return {}
    if not isinstance(root, MappingNode):
        raise StackFileError(f"{name}: expected a mapping with a `config:` block of `webstack:` keys")
    problems = list(_inspect(root))
    if problems:
        raise ConfigError(name, problems)
    document = _StackFileLoader(_EMPTY).construct_document(root)
    config_node = next((value for key, value in root.value if key.value == "config"), None)
    if not isinstance(document.get("config", {}), dict | type(None)):
        raise StackFileError(f"{name}: expected a mapping with a `config:` block of `webstack:` keys")
    unexpected = sorted(str(key) for key in document if key not in STACK_FILE_KEYS)
    if unexpected:
        listed = ", ".join(quote(key) if not _simple(key) else key for key in unexpected)
        raise StackFileError(f"{name}: unknown top-level key(s) {listed}; stack settings go under `config:`")
    config: dict[str, Any] = dict(document.get("config") or {})
    if isinstance(config_node, MappingNode):
        # Pulumi hands a top-level scalar to the program as the text written, whatever YAML would type it as.
        for key_node, value_node in config_node.value:
            if isinstance(value_node, ScalarNode) and isinstance(key_node, ScalarNode):
                config[key_node.value] = "" if value_node.tag == "tag:yaml.org,2002:null" else value_node.value
    return config


_EMPTY = ""


def _simple(key: object) -> bool:
    return isinstance(key, str) and key.isprintable() and len(key) <= 60


def _read_text(path: Path, name: str) -> str:
    try:
        if path.is_dir():
            raise StackFileError(f"{name}: is a directory; give the path of a stack file (Pulumi.<stack>.yaml)")
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise StackFileError(f"{name}: no such stack file; create it or pass --config FILE") from None
    except PermissionError:
        raise StackFileError(f"{name}: not readable (permission denied)") from None
    except OSError as error:
        raise StackFileError(f"{name}: cannot be read ({printable(error.strerror or str(error))})") from None
    if len(data) > MAX_BYTES:
        raise StackFileError(f"{name}: larger than {MAX_BYTES // 1024} KiB; a stack file is a few kilobytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise StackFileError(f"{name}: line {line}: not UTF-8 text; save the file as UTF-8") from None


def _compose(path: Path, text: str, name: str) -> Node | None:
    if "\x00" in text:
        raise StackFileError(f"{name}: contains NUL bytes; it is not a YAML text file")
    try:
        # The parser is iterative, the composer recursive: measure the nesting before composing.
        depth = 0
        for event in yaml.parse(text, Loader=_StackFileLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise StackFileError(f"{name}: line {line}: nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.compose(text, Loader=_StackFileLoader)
    except yaml.YAMLError as error:
        raise StackFileError(f"{name}: not valid YAML: {printable(str(error))}") from None


def _inspect(root: MappingNode) -> Iterator[Problem]:
    """Everything in the file that YAML would silently change or that would take unbounded work."""
    sizes: dict[int, float] = {}
    if _expanded_size(root, sizes, set(), 0) > MAX_NODES:
        yield Problem(
            "YAML aliases",
            f"the file expands to more than {MAX_NODES} values through its aliases (*name); write the values out",
        )
        return
    yield from _walk(root, "", set())


def _expanded_size(node: Node, sizes: dict[int, float], active: set[int], depth: int) -> float:
    """How many values `node` stands for once every alias is expanded (infinite for a cycle or deep nesting)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active or depth > MAX_DEPTH:
        return math.inf
    active.add(key)
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    total = 1.0
    for child in children:
        total += _expanded_size(child, sizes, active, depth + 1)
        if total > MAX_NODES:
            break
    active.discard(key)
    sizes[key] = total
    return total


def _walk(node: Node, where: str, seen: set[int], *, top_level: bool = False) -> Iterator[Problem]:
    """Duplicate keys and altered scalars under `node`; `where` is the config key path so far."""
    if id(node) in seen:
        return  # an alias: its target was checked where it was written
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                yield from _walk(value_node, where, seen)
                continue
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            path = key if where in ("", "config") else f"{where}.{key}"
            key_line = key_node.start_mark.line + 1
            if key in first_line:
                yield Problem(
                    printable(path),
                    f"line {key_line}: given twice (first on line {first_line[key]}); YAML would keep only the last "
                    "one, so remove or merge one of them",
                )
            else:
                first_line[key] = key_line
            # `config:` values are read as the text written (see read_stack_file); deeper ones YAML types.
            yield from _walk(value_node, path, seen, top_level=where == "config")
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, f"{where}[{index}]", seen)
    elif isinstance(node, ScalarNode) and node.style is None and not top_level:
        message = _altered(node)
        if message:
            yield Problem(printable(where), f"line {node.start_mark.line + 1}: {message}")


def _altered(node: ScalarNode) -> str | None:
    """Why YAML would change this plain scalar on the way, or None when it reads back as written."""
    text = node.value
    if node.tag == _TIMESTAMP:
        return f"YAML reads {quote(text)} as a date; put it in quotes"
    if node.tag == _INT and ":" not in text and not _PLAIN_DECIMAL.match(text):
        value = yaml.load(text, Loader=_StackFileLoader)  # the safe loader subclass
        return f"YAML reads {quote(text)} as the number {value}; write {value}, or put it in quotes if it is text"
    if node.tag == _FLOAT and ":" not in text:
        value = yaml.load(text, Loader=_StackFileLoader)  # the safe loader subclass
        if repr(value) != text:
            return f"YAML reads {quote(text)} as the number {value!r}; put it in quotes if it is text"
    return None
