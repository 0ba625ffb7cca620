"""Reading pack YAML: the only module that knows YAML.

Values come back as plain Python data that remembers where it stood in the file:
mappings are :class:`YamlMap` (with the line of every key) and sequences are
:class:`YamlList` (with the line of every entry). Finnish words such as ``on``, ``ei``,
``no`` and ``yes`` and times such as ``1:30`` stay strings: only ``true``/``false``,
``null``/``~``, whole numbers and strings are recognised; ``12.30`` and ``1.10`` stay text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from lessons.pack.problems import ProblemLog

# A pack file is small; these bounds stop alias bombs and runaway nesting.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_FILE_BYTES = 2_000_000

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class PackYamlLoader(yaml.SafeLoader):
    """A SafeLoader that resolves only the plain scalars lesson authors mean.

    PyYAML follows YAML 1.1, where ``on``/``off``/``yes``/``no`` are booleans, ``1:30`` is
    the number 90 and ``2026-01-01`` a date. In Finnish lesson text those are words and
    times, so this subclass drops those resolvers (without patching PyYAML globally).
    """


PackYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in (_NULL, _MERGE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PackYamlLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|false)$"), list("tf"))
# Whole numbers only, and none with leading zeros: "007" is an id and "12.30" or "1.10" a
# time or a version, so anything else that looks like a number stays text as written.
PackYamlLoader.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


class YamlMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence that knows its own line and the line of each entry (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def key_lines(value: Any, prefix: str = "") -> dict[str, int]:
    """The line of every key path below ``value``: ``title.uk``, ``items[2]``, ``items[2].fi``."""
    lines: dict[str, int] = {}
    if isinstance(value, YamlMap):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            lines[path] = value.line_of(key)
            lines.update(key_lines(child, path))
    elif isinstance(value, YamlList):
        for index, child in enumerate(value):
            path = f"{prefix}[{index}]"
            lines[path] = value.line_of(index)
            lines.update(key_lines(child, path))
    return lines


class _Builder:
    def __init__(self, path: str, log: ProblemLog) -> None:
        self.path = path
        self.log = log
        self.nodes = 0
        self.too_big = False

    def build(self, node: yaml.Node, key: str, depth: int, ancestors: frozenset[int]) -> Any:
        self.nodes += 1
        line = node.start_mark.line + 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            if not self.too_big:
                self.too_big = True
                self.log.error(self.path, line, key, "document is too large or too deeply nested")
            return None
        if id(node) in ancestors:
            self.log.error(self.path, line, key, "an alias refers to itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, key, line)
        inner = ancestors | {id(node)}
        if node.tag not in (_SEQ, _MAP):
            self.log.error(self.path, line, key, f"unsupported YAML tag {node.tag!r}; remove it")
            return None
        if isinstance(node, yaml.SequenceNode):
            seq = YamlList(line)
            for index, child in enumerate(node.value):
                seq.append(self.build(child, f"{key}[{index}]", depth + 1, inner))
                seq.item_lines.append(child.start_mark.line + 1)
            return seq
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key, line, depth, inner)
        self.log.error(self.path, line, key, "unsupported YAML node")
        return None

    def _scalar(self, node: yaml.ScalarNode, key: str, line: int) -> Any:
        text = str(node.value)
        tag = node.tag
        try:
            if tag == _STR:
                return text
            if tag == _NULL:
                return None
            if tag == _BOOL:
                if text not in ("true", "false"):
                    raise ValueError(text)
                return text == "true"
            if tag == _INT:
                return int(text)
        except ValueError:
            self.log.error(
                self.path, line, key, f"{text!r} is not a valid {tag.rsplit(':', 1)[-1]}"
            )
            return None
        self.log.error(self.path, line, key, f"unsupported YAML tag {tag!r}; write plain text")
        return None

    def _mapping(
        self, node: yaml.MappingNode, key: str, line: int, depth: int, ancestors: frozenset[int]
    ) -> YamlMap:
        mapping = YamlMap(line)
        for key_node, value_node in _merged_pairs(node, self, key, line):
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.log.error(self.path, key_line, key, "a key must be plain text")
                continue
            name = key_node.value if key_node.tag != _NULL else ""
            child_key = f"{key}.{name}" if key else str(name)
            if name in mapping:
                self.log.error(
                    self.path,
                    key_line,
                    child_key,
                    f"duplicate key (first on line {mapping.key_lines[name]})",
                )
                continue
            mapping[name] = self.build(value_node, child_key, depth + 1, ancestors)
            mapping.key_lines[name] = key_line
        return mapping


def _merged_pairs(
    node: yaml.MappingNode, builder: _Builder, key: str, line: int
) -> list[tuple[yaml.Node, yaml.Node]]:
    """The mapping's pairs with YAML merge keys (``<<: *base``) expanded, own keys last."""
    own: list[tuple[yaml.Node, yaml.Node]] = []
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode) and source is not node:
                merged.extend(pair for pair in source.value if pair[0].tag != _MERGE)
            else:
                builder.log.error(builder.path, line, key, "'<<' must merge a mapping")
    own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    kept: list[tuple[yaml.Node, yaml.Node]] = []
    seen: set[object] = set()
    for pair in merged:
        name = pair[0].value if isinstance(pair[0], yaml.ScalarNode) else None
        if name in own_keys or name in seen:
            continue
        seen.add(name)
        kept.append(pair)
    return kept + own


def parse_yaml(text: str, path: str, log: ProblemLog) -> Any:
    """Parse one YAML document; syntax errors go to ``log`` and return None."""
    try:
        node = yaml.compose(text, Loader=PackYamlLoader)
    except yaml.MarkedYAMLError as exc:
        log.error(path, *_syntax_error(exc))
        return None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        log.error(path, line, "", f"YAML error: unacceptable character #x{exc.character:04x}")
        return None
    except yaml.YAMLError as exc:
        log.error(path, None, "", f"YAML error: {str(exc).splitlines()[0]}")
        return None
    except RecursionError:
        log.error(path, None, "", "document is nested too deeply")
        return None
    if node is None:
        return None
    return _Builder(path, log).build(node, "", 0, frozenset())


def _syntax_error(exc: yaml.MarkedYAMLError) -> tuple[int | None, str, str]:
    """Line, key and message of a syntax error.

    An unclosed quote is only noticed far below, at the end of the file or the next quote;
    then the line where the quote opened is the one the author has to look at.
    """
    reason = exc.problem or "invalid YAML"
    start, found = exc.context_mark, exc.problem_mark
    if reason == "but found another document":
        line = found.line + 1 if found is not None else None
        return line, "", "YAML syntax error: a pack file holds one document; remove the '---'"
    if start is not None and (exc.context or "").startswith("while scanning a quoted scalar"):
        message = f"YAML syntax error: a quote opened on this line is not closed ({reason})"
        return start.line + 1, "", message
    line = found.line + 1 if found is not None else None
    return line, "", f"YAML syntax error: {reason}"


def read_yaml_file(file: Path, display_path: str, log: ProblemLog) -> Any:
    """Read and parse a pack file, reporting unreadable or non-UTF-8 files as problems."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        log.error(display_path, None, "", f"cannot read file: {exc.strerror or exc}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        log.error(display_path, None, "", f"file is larger than {MAX_FILE_BYTES} bytes")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        log.error(display_path, line, "", "file is not valid UTF-8 text")
        return None
    return parse_yaml(text, display_path, log)
