"""Reading the guided-response sections of INCIDENT_CONFIG: JSON Schema first (generated from
the pydantic models, so `config check` and the bot never disagree), then the models' own
checks (names that must exist, templates that must stay in their sandbox). Every problem
names its line and column."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import ValidationError

from bot.config import Settings
from bot.configfile import ConfigDocument, ConfigFileError, Mapping, Problem, load
from bot.configfile import Sequence as YamlSequence
from bot.playbook.models import STEP_KINDS, Playbook

log = logging.getLogger(__name__)
SECTIONS = ("incident_types", "custom_fields", "workflows")
_CACHE: dict[tuple[str, float], Playbook] = {}
_LAST_GOOD: dict[str, Playbook] = {}
_LOCK = threading.Lock()


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the guided-response sections, generated from the models."""
    generated = Playbook.model_json_schema()
    # pydantic describes a constrained key as patternProperties, which lets other keys
    # through: name the pattern as what every key must match.
    for section in generated["properties"].values():
        for pattern in section.get("patternProperties", {}):
            section["propertyNames"] = {**section.get("propertyNames", {}), "pattern": pattern}
    return generated


def _where(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def locate(data: Any, path: Sequence[Any]) -> tuple[int, int]:
    """Line and column of the deepest node of `path` the document has (a missing key: its
    mapping; a pydantic union tag not in the file: skipped)."""
    node, line, column = data, 1, 1
    for part in path:
        if isinstance(node, Mapping) and isinstance(part, str):
            if part not in node:
                continue
            line, column, node = node.line_of(part), node.column_of(part), node[part]
        elif isinstance(node, YamlSequence) and isinstance(part, int) and part < len(node):
            line, column, node = node.line_of(part), node.column_of(part), node[part]
        else:
            break
    return line, column


def _schema_message(error: SchemaError) -> str:
    value, kind = error.instance, error.validator
    if kind == "pattern":
        return f"{value!r} is not {error.schema.get('description') or 'valid'}"
    if kind == "additionalProperties":
        known = ", ".join(error.schema.get("properties", {})) or "none"
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        return f"unknown key `{extra[0] if extra else '?'}` (known: {known})"
    if kind == "required":
        return f"missing `{error.message.split(chr(39))[1]}`"
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return f"{value!r} is not one of: {', '.join(map(str, allowed))}"
    if kind in ("anyOf", "oneOf"):
        allowed = [
            str(v) for e in error.context or [] if e.validator in ("enum", "const")
            for v in (e.validator_value if e.validator == "enum" else [e.validator_value])
        ]  # fmt: skip
        if allowed:
            return f"{value!r} is not one of: {', '.join(dict.fromkeys(allowed))}"
        if isinstance(value, dict):
            return f"a step is one mapping with one of: {', '.join(STEP_KINDS)}"
        return f"{value!r} is not valid here"
    if kind == "minItems":
        return "must not be empty"
    return error.message


def _deepest(error: SchemaError) -> SchemaError:
    """Of a union's failure, the branch that got furthest (the step kind that was meant)."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        deeper = [e for e in error.context if len(e.relative_path) > 0]
        if deeper:
            return _deepest(max(deeper, key=lambda e: len(e.relative_path)))
    return error


def schema_problems(data: Mapping) -> list[Problem]:
    """Every error of the guided-response sections against the generated JSON Schema."""
    problems = []
    for error in Draft202012Validator(schema()).iter_errors(data):
        error = _deepest(error)
        path = list(error.absolute_path)
        at = path
        if "propertyNames" in error.schema_path:
            at = [*path, error.instance]  # the key itself
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            at = [*path, *extra[:1]]
        line, column = locate(data, at)
        problems.append(Problem(line, f"{_where(path)}: {_schema_message(error)}", column))
    return problems


def model_problems(data: Mapping, error: ValidationError, *, only_checks: bool) -> list[Problem]:
    problems = []
    for item in error.errors():
        if only_checks and item["type"] != "value_error":
            continue
        loc = list(item["loc"])
        # A union's tag comes before the step's own key of the same name: say it once.
        path = [p for i, p in enumerate(loc) if not (i + 1 < len(loc) and loc[i + 1] == p)]
        line, column = locate(data, path)
        message = str(item["msg"]).removeprefix("Value error, ")
        where = _where([p for p in path if isinstance(p, int | str)])
        problems.append(Problem(line, f"{where}: {message}" if where else message, column))
    return problems


def read_playbook(document: ConfigDocument) -> Playbook:
    """The guided-response sections as models; ConfigFileError lists every problem."""
    data = document.data
    sections = Mapping({k: v for k, v in data.items() if k in SECTIONS})
    sections.line, sections.column = data.line, data.column
    sections.lines, sections.columns = data.lines, data.columns
    problems = schema_problems(sections)
    try:
        playbook = Playbook.model_validate(dict(sections))
    except ValidationError as exc:
        # The schema has said what is malformed; the models add what a schema can't say
        # (templates in their sandbox, names that must exist).
        found = model_problems(sections, exc, only_checks=bool(problems))
        raise ConfigFileError(document.path, problems + found) from None
    if problems:
        raise ConfigFileError(document.path, problems)
    return playbook


def check_all(path: str, readers: Iterable[Any]) -> list[Any]:
    """Read `path` once and give it to each reader; every reader's problems are reported
    together (ConfigFileError), else each reader's result in order."""
    document = load(path)
    problems: list[Problem] = []
    results = []
    for reader in readers:
        try:
            results.append(reader(document))
        except ConfigFileError as exc:
            problems.extend(exc.problems)
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ConfigFileError(path, unique)
    return results


def playbook_for(settings: Settings) -> Playbook:
    """The playbook of the configured file (empty without one); an edit made since start-up
    is read again, but only used if it checks."""
    path = settings.config_path
    if path is None:
        return Playbook()
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return Playbook()
    with _LOCK:
        cached = _CACHE.get((path, stamp))
        if cached is None:
            try:
                cached = read_playbook(load(path))
            except ConfigFileError as exc:
                log.error("%s; keeping the playbook read before", exc)
                cached = _LAST_GOOD.get(path, Playbook())
            _CACHE[(path, stamp)] = _LAST_GOOD[path] = cached
        return cached
