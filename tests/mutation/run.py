"""Planted faults: each one-line fault in tests/mutation/faults.py must make its tests fail.

    python tests/mutation/run.py                 # every fault (what `make mutation` runs)
    python tests/mutation/run.py --only claim    # faults whose name contains "claim"
    python tests/mutation/run.py --list          # the faults, and whether each still applies

The working tree is copied once (tracked and untracked files, as `git ls-files` lists them)
into a temporary directory; each fault is planted in that copy, only its own tests run there
(PYTHONPATH pointing at the copy, no bytecode written, so no stale .pyc can hide a fault), and
the file is put back before the next one. The working tree itself is never modified. Each run
is a fork of this process, which has loaded the third-party libraries once (never our own
packages: every run imports those afresh from the copy); `--no-fork` starts a new Python each
time instead (slower: ~10 s of imports per fault).

First the union of all the selected faults' tests runs on the unmodified copy: a fault only
counts as caught if its tests passed without it. Exit status 1 when a fault is missed, when
its original text is no longer in its file exactly once (stale: refresh it after a merge), or
when a run errs (pytest could not run, or the baseline failed).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _faults_module() -> ModuleType:
    """faults.py, loaded by path: importing the `tests` package here would pin the working
    tree's copy of it in every forked run."""
    spec = importlib.util.spec_from_file_location("planted_faults", HERE / "faults.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


_faults = _faults_module()
FAULTS, Fault = _faults.FAULTS, _faults.Fault
# Third-party libraries the suite imports, loaded before forking so each run skips them.
PRELOAD = (
    "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.sqlite", "alembic.command", "alembic.autogenerate", "psycopg",
    "slack_bolt", "slack_bolt.adapter.wsgi", "slack_bolt.adapter.socket_mode", "slack_sdk",
    "slack_sdk.models.blocks", "openai", "matplotlib.figure",
    "matplotlib.backends.backend_agg", "numpy", "jinja2", "pydantic", "pydantic_settings",
    "apscheduler.schedulers.background", "waitress", "prometheus_client", "freezegun",
    "jsonschema", "yaml", "websockets", "pytest",
)  # fmt: skip

TAIL = 25  # lines of pytest's output shown when a run errs
DETAIL = 160  # characters of the failing test's summary shown for a caught fault


@dataclass
class Outcome:
    fault: Fault
    result: str  # caught | MISSED | STALE | ERROR
    seconds: float = 0.0
    detail: str = ""


def stale_reason(fault: Fault, tree: Path) -> str | None:
    """Why the fault cannot be planted in `tree` any more, or None when it can."""
    path = tree / fault.path
    if not path.is_file():
        return f"{fault.path} does not exist"
    text = path.read_text(encoding="utf-8")
    found = text.count(fault.original)
    if found == 0:
        lines = [line.strip() for line in text.splitlines()]
        near = difflib.get_close_matches(fault.original.strip(), lines, n=1, cutoff=0.6)
        hint = f"\n      closest line now: {near[0]!r}" if near else ""
        return f"original text not found in {fault.path}: {fault.original!r}{hint}"
    if found > 1:
        return f"original text occurs {found} times in {fault.path}: make it unique"
    return None


def copy_tree(target: Path) -> None:
    """Copy what git would commit (tracked and untracked, not ignored) into `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():
            continue  # deleted in the working tree but still in the index
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # not installed or not importable here: the run imports it itself
            continue


def pytest_run(tree: Path, tests: list[str], timeout: int, fork: bool) -> tuple[int, str]:
    """Run pytest on `tests` inside `tree`; returns (exit code, output)."""
    env = {
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "INCIDENT_REQUIRE_PG": os.environ.get("INCIDENT_REQUIRE_PG", "1"),
    }
    args = ["-q", "-x", "-rf", "-p", "no:cacheprovider", f"--timeout={timeout}", "-o", "addopts="]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]  # plugins preloaded by a fork
    if fork:
        return _forked(tree, [*args, *tests], env)
    command = [sys.executable, "-m", "pytest", *args, *tests]
    done = subprocess.run(
        command, cwd=tree, env={**os.environ, **env}, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def _forked(tree: Path, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """pytest.main in a child of this process, which imports our code afresh from `tree`."""
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as output:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 3
            try:
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                os.chdir(tree)
                os.environ.update(env)
                sys.dont_write_bytecode = True
                sys.path[:] = [str(tree), *(p for p in sys.path if p not in ("", str(HERE)))]
                import pytest  # preloaded by the parent: no cost here

                code = int(pytest.main(args))
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        output.seek(0)
        return os.waitstatus_to_exitcode(status), output.read().decode("utf-8", "replace")


def tail(output: str) -> str:
    return "\n".join("      " + line for line in output.strip().splitlines()[-TAIL:])


def plant(fault: Fault, tree: Path, timeout: int, fork: bool) -> Outcome:
    reason = stale_reason(fault, tree)
    if reason is not None:
        return Outcome(fault, "STALE", detail=reason)
    path = tree / fault.path
    original = path.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        path.write_text(original.replace(fault.original, fault.replacement), encoding="utf-8")
        code, output = pytest_run(tree, list(fault.tests), timeout, fork)
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    if code == 1:  # tests ran and at least one failed
        failed = [line for line in output.splitlines() if line.startswith("FAILED ")]
        return Outcome(fault, "caught", seconds, failed[0][7:][:DETAIL] if failed else "")
    if code == 0:
        return Outcome(fault, "MISSED", seconds, "every test passed with the fault planted")
    return Outcome(fault, "ERROR", seconds, f"pytest exited {code}\n{tail(output)}")


def baseline(faults: list[Fault], tree: Path, timeout: int, fork: bool) -> str | None:
    """None when every selected fault's tests pass on the unmodified copy, else why not."""
    tests = sorted({t for f in faults for t in f.tests})
    code, output = pytest_run(tree, tests, timeout, fork)
    return None if code == 0 else f"pytest exited {code} without any fault\n{tail(output)}"


def report(outcomes: list[Outcome], seconds: float, why: bool) -> int:
    width = max(len(o.fault.name) for o in outcomes)
    for o in outcomes:
        line = f"{o.result:7} {o.fault.name:{width}}  {o.fault.area:10} {o.seconds:5.1f}s"
        shown = o.detail and (why or o.result != "caught")
        print(line + (f"\n      {o.detail}" if shown else ""))
    counts = Counter(o.result for o in outcomes)
    print(
        f"\n{len(outcomes)} faults: {counts['caught']} caught, {counts['MISSED']} missed, "
        f"{counts['STALE']} stale, {counts['ERROR']} errors, in {seconds:.0f}s"
    )
    areas = Counter(o.fault.area for o in outcomes)
    print("by area: " + ", ".join(f"{a} {n}" for a, n in sorted(areas.items())))
    if counts["STALE"]:
        print(
            "\nSTALE faults no longer match their file (code moved or changed, e.g. after a "
            "merge):\nedit `original` (and `replacement`) in tests/mutation/faults.py to the "
            "current line, then run `python tests/mutation/run.py --only NAME`."
        )
    return 0 if counts["caught"] == len(outcomes) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="faults whose name contains any")
    parser.add_argument("--list", action="store_true", help="list faults and stale ones; run none")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmodified run")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per test")
    parser.add_argument("--why", action="store_true", help="show the test that caught each")
    parser.add_argument("--no-fork", action="store_true", help="a new Python for each run")
    args = parser.parse_args(argv)
    faults = [f for f in FAULTS if not args.only or any(s in f.name for s in args.only)]
    if not faults:
        print("no fault matches", args.only)
        return 1
    if args.list:
        stale = 0
        for f in faults:
            reason = stale_reason(f, ROOT)
            stale += reason is not None
            print(f"{'STALE' if reason else 'ok':5} {f.name} ({f.path}) -> {' '.join(f.tests)}")
            if reason:
                print(f"      {reason}")
        print(f"{len(faults)} faults, {stale} stale")
        return 1 if stale else 0
    started = time.monotonic()
    fork = hasattr(os, "fork") and not args.no_fork
    if fork:
        preload()
    with tempfile.TemporaryDirectory(prefix="incident-bot-mutation-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        print(f"{len(faults)} faults, planted one at a time in a copy of {ROOT} at {tree}")
        if not args.no_baseline:
            plantable = [f for f in faults if stale_reason(f, tree) is None]
            failure = baseline(plantable, tree, args.timeout, fork) if plantable else None
            if failure is not None:
                print(f"ERROR   baseline: the faults' tests fail on the unmodified tree\n{failure}")
                return 1
            print(f"baseline: the tests pass without faults ({time.monotonic() - started:.0f}s)")
        outcomes = []
        for fault in faults:
            outcome = plant(fault, tree, args.timeout, fork)
            print(f"  {outcome.result:7} {fault.name}", flush=True)
            outcomes.append(outcome)
    print()
    return report(outcomes, time.monotonic() - started, args.why)


if __name__ == "__main__":
    raise SystemExit(main())
