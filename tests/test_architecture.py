"""The house rules, checked on the source: no import loop, arrows only down, small files,
imports at module top unless deferring something heavy (with a comment saying so)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers")
MAX_LINES = 300
# Lower layers never import higher ones; a layer is named by module prefixes.
LAYERS = (
    ("ground floor", ("bot.config", "bot.db", "bot.models", "bot.clock", "bot.errors",
                      "bot.telemetry", "bot.parsing", "bot.migrate", "bot.configfile", "bot.wsgi",
                      "bot.alert_models", "bot.update_models", "bot.status_models",
                      "bot.workflow_models", "bot.drafting_models", "bot.playbook")),
    ("slack port", ("bot.slack",)),
    ("composition root and outbox", ("bot.wiring", "bot.outbox")),
    ("domains", ("bot.incidents", "bot.timeline", "bot.followups", "bot.stats",
                 "bot.drafting", "bot.export", "bot.comms", "bot.statuspage")),
    ("domains built on incidents", ("bot.alerts", "bot.workflows")),
    ("summaries", ("bot.overview",)),
    ("conductor and listeners", ("bot.scheduling", "handlers")),
    ("entry points", ("bot.app", "bot.web", "bot.hooks", "bot.socket_mode", "bot.server", "bot.cli",
                      "bot.demo", "bot.__main__")),
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def top_level_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """Project modules imported when the module is executed (not under TYPE_CHECKING)."""
    found: set[str] = set()
    nodes = [n for n in tree.body if not (isinstance(n, ast.If) and _is_type_checking(n))]
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(sub, ast.Import):
                found.update(a.name for a in sub.names if a.name in known)
            elif isinstance(sub, ast.ImportFrom) and sub.module:
                for alias in sub.names:
                    target = f"{sub.module}.{alias.name}"
                    found.add(target if target in known else sub.module)
    return {m for m in found if m in known}


def graph() -> dict[str, set[str]]:
    mods = sources()
    known = set(mods)
    return {m: top_level_imports(ast.parse(p.read_text()), known) for m, p in mods.items()}


def layer_of(module: str) -> int:
    for index, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the README")


def test_no_import_loop() -> None:
    try:
        tuple(graphlib.TopologicalSorter(graph()).static_order())
    except graphlib.CycleError as exc:
        pytest.fail("import loop: " + " -> ".join(exc.args[1]))


def test_arrows_only_point_down() -> None:
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in graph().items()
        if m not in ("bot", "handlers")
        for t in sorted(targets)
        if t not in ("bot", "handlers") and layer_of(t) > layer_of(m)
    ]
    assert upward == []


def test_imports_inside_functions_say_why() -> None:
    """Only to defer something slow to import, with a comment on the line saying so."""
    unexplained = []
    for module, path in sources().items():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Import | ast.ImportFrom)
                    and "#" not in lines[sub.lineno - 1]
                ):
                    unexplained.append(f"{module}:{sub.lineno}")
    assert unexplained == []


def test_files_stay_small() -> None:
    big = {m: n for m, p in sources().items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}


def test_no_test_helper_is_named_like_a_test() -> None:
    """pytest collects test_*.py: a helper module with that name would be collected too."""
    helpers = [p for p in (ROOT / "tests").rglob("test_*.py") if "def test_" not in p.read_text()]
    assert helpers == []
