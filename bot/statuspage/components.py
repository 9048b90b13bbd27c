"""`status_page.components` in INCIDENT_CONFIG: the parts of the product the public sees."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.configfile import ConfigDocument, ConfigFileError, Mapping, Problem, Sequence, load

log = logging.getLogger(__name__)
SECTION_KEYS = ("components",)
COMPONENT_KEYS = ("name", "description")
NAME_MAX = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Component:
    """One component, in the file's order."""

    name: str
    description: str | None = None

    @property
    def id(self) -> str:
        """Stable across restarts and replicas: the name's hash, 12 characters as Statuspage's."""
        return hashlib.sha256(self.name.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Catalogue:
    """The components in force, and when the file listing them last changed."""

    components: tuple[Component, ...] = ()
    changed_at: datetime = EPOCH

    def names(self) -> list[str]:
        return [c.name for c in self.components]


def read_components(doc: ConfigDocument) -> tuple[list[Component], list[Problem]]:
    """The components of the `status_page` section, and every problem with its line."""
    section = doc.section("status_page")
    if section is None:
        return [], []
    problems: list[Problem] = []
    line = doc.data.line_of("status_page")
    if not isinstance(section, Mapping):
        return [], [Problem(line, "status_page must be a mapping with `components:`")]
    for key in section:
        if key not in SECTION_KEYS:
            problems.append(Problem(section.line_of(key), f"status_page: unknown key `{key}`"))
    items = section.get("components", [])
    if not isinstance(items, Sequence):
        at = section.line_of("components")
        return [], [*problems, Problem(at, "status_page.components must be a list")]
    out: list[Component] = []
    for index, item in enumerate(items):
        found = _component(item, items.line_of(index), problems)
        if found is None:
            continue
        if found.name in {c.name for c in out}:
            problems.append(Problem(items.line_of(index), f"component `{found.name}` twice"))
            continue
        out.append(found)
    return out, problems


def _component(item: Any, line: int, problems: list[Problem]) -> Component | None:
    where = "status_page.components"
    if isinstance(item, str):
        item = {"name": item}
    elif isinstance(item, Mapping):
        for key in item:
            if key not in COMPONENT_KEYS:
                problems.append(Problem(item.line_of(key), f"{where}: unknown key `{key}`"))
    else:
        problems.append(Problem(line, f"{where}: each item is a name or {{name, description}}"))
        return None
    name, description = item.get("name"), item.get("description")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        problems.append(Problem(line, f"{where}: `name` must be text of 1-{NAME_MAX} characters"))
        return None
    if description is not None and not isinstance(description, str):
        problems.append(Problem(line, f"{where}: `description` must be text"))
        return None
    return Component(" ".join(name.split()), description.strip() if description else None)


def check_document(doc: ConfigDocument) -> list[Component]:
    """The components, or ConfigFileError naming every problem's line."""
    components, problems = read_components(doc)
    if problems:
        raise ConfigFileError(doc.path, problems)
    return components


_CACHE: dict[tuple[str, float], Catalogue] = {}
_LOCK = threading.Lock()


def catalogue(settings: Settings) -> Catalogue:
    """The components of the configured file, read again when it changes (start-up checked
    it; a broken edit keeps what was read before, as the alert rules do)."""
    path = settings.config_path
    if path is None:
        return Catalogue()
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return Catalogue()
    with _LOCK:
        cached = _CACHE.get((path, stamp))
        if cached is None:
            previous = [c for (p, _), c in _CACHE.items() if p == path]
            try:
                found = check_document(load(path))
                cached = Catalogue(tuple(found), datetime.fromtimestamp(stamp, UTC))
            except ConfigFileError as exc:
                log.error("%s; keeping the components read before", exc)
                cached = previous[-1] if previous else Catalogue()
            _CACHE[(path, stamp)] = cached
        return cached
