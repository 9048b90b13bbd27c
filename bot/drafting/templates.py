"""Where postmortem templates and prompt text live, and the Jinja2 environment over them.

Lookup order (the first folder holding a name wins, so a team can override a built-in):
1. `./postmortem_templates/` in the working directory (a deployment's own templates);
2. `postmortem_templates/` at the repository root next to `bot/` (a source checkout);
3. `<sys.prefix>/share/incident-bot/postmortem_templates/` (an installed wheel: shipped there
   as setuptools data-files, see pyproject.toml).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from bot.errors import IncidentError

FOLDER = "postmortem_templates"
SUFFIX = ".md.j2"


def search_path() -> list[Path]:
    """Existing template folders, highest priority first."""
    candidates = [
        Path.cwd() / FOLDER,
        Path(__file__).resolve().parent.parent.parent / FOLDER,
        Path(sys.prefix) / "share" / "incident-bot" / FOLDER,
    ]
    seen: list[Path] = []
    for path in candidates:
        resolved = path.resolve()
        if resolved.is_dir() and resolved not in seen:
            seen.append(resolved)
    return seen


def available() -> list[str]:
    """Template names (file names without `.md.j2`); names starting with `_` are partials."""
    names = {
        p.name.removesuffix(SUFFIX)
        for folder in search_path()
        for p in folder.glob(f"*{SUFFIX}")
        if not p.name.startswith("_")
    }
    return sorted(names)


def resolve(name: str | None, default: str) -> str:
    """The template to use; an unknown name is refused with the available ones listed."""
    chosen = (name or default).strip().lower().removesuffix(SUFFIX)
    names = available()
    if chosen not in names:
        listing = ", ".join(names) or f"none (no {FOLDER}/ folder found)"
        raise IncidentError(
            f"There is no postmortem template `{chosen}`. Available: {listing}. "
            f"Add one as {FOLDER}/<name>{SUFFIX}."
        )
    return chosen


@lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=False,  # Markdown, not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def environment() -> Environment:
    return _environment(tuple(search_path()))


def prompt(name: str) -> str:
    """Prompt text from `postmortem_templates/prompts/<name>.txt`."""
    for folder in search_path():
        path = folder / "prompts" / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"{FOLDER}/prompts/{name}.txt not found in {search_path()}")
