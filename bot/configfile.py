"""INCIDENT_CONFIG: the YAML file, read with the line of every key so errors can name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Sections other features own; each validates its own. Anything else is a typo worth naming.
SECTIONS = ("alerts", "incident_types", "custom_fields", "workflows", "status_page")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, at a 1-based line (and column, when known)."""

    line: int
    message: str
    column: int | None = None

    def render(self, path: str) -> str:
        where = f"line {self.line}" + (f" column {self.column}" if self.column else "")
        return f"{path} {where}: {self.message}"


class ConfigFileError(Exception):
    """The file can't be used; `problems` lists every error found, in line order."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.line, p.column or 0))
        super().__init__(self.problems[0].render(path) if self.problems else path)


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 1
    column: int = 1
    lines: dict[str, int]
    columns: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def column_of(self, key: str) -> int:
        return self.columns.get(key, self.column)


class Sequence(list[Any]):
    """A YAML sequence that remembers its own line and each item's."""

    line: int = 1
    column: int = 1
    lines: list[int]
    columns: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line

    def column_of(self, index: int) -> int:
        return self.columns[index] if index < len(self.columns) else self.column


@dataclass
class ConfigDocument:
    """The parsed file: top-level sections by name, with lines."""

    path: str
    data: Mapping = field(default_factory=Mapping)
    problems: list[Problem] = field(default_factory=list)  # found while reading, not fatal yet

    def section(self, name: str) -> Any:
        return self.data.get(name)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _column(node: yaml.Node) -> int:
    return node.start_mark.column + 1


def _build(loader: yaml.SafeLoader, node: yaml.Node, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<: *anchor)
        out = Mapping()
        out.line, out.column, out.lines, out.columns = _line(node), _column(node), {}, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                problems.append(Problem(_line(key_node), f"key {key!r} must be text"))
                key = str(key)
            if key in out:
                problems.append(Problem(_line(key_node), f"`{key}` appears twice"))
            out[key] = _build(loader, value_node, problems)
            out.lines[key], out.columns[key] = _line(key_node), _column(key_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = Sequence(_build(loader, item, problems) for item in node.value)
        seq.line, seq.column = _line(node), _column(node)
        seq.lines = [_line(item) for item in node.value]
        seq.columns = [_column(item) for item in node.value]
        return seq
    return loader.construct_object(node, deep=True)


def parse(text: str, path: str) -> ConfigDocument:
    """Parse YAML text; raise ConfigFileError naming the line of a syntax error. Duplicate
    keys and unknown sections are kept in `problems`, to be reported with the others."""
    loader = yaml.SafeLoader(text)
    problems: list[Problem] = []
    try:
        root = loader.get_single_node()
        data = Mapping() if root is None else _build(loader, root, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigFileError(path, [Problem(line, f"not valid YAML: {exc.problem}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, Mapping):
        raise ConfigFileError(path, [Problem(1, "the file must be a mapping of sections")])
    for key in data:
        if key not in SECTIONS:
            known = ", ".join(SECTIONS)
            problems.append(Problem(data.line_of(key), f"unknown section `{key}` (known: {known})"))
    return ConfigDocument(path=path, data=data, problems=problems)


def load(path: str) -> ConfigDocument:
    """Read and parse the file at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigFileError(path, [Problem(1, f"can't be read: {exc.strerror}")]) from None
    return parse(text, path)
