"""The rules in force: INCIDENT_CONFIG read once per change of the file."""

from __future__ import annotations

import logging
import os
import threading

from bot.alerts.ruleconfig import read_rules
from bot.alerts.rules import RuleSet
from bot.config import Settings
from bot.configfile import ConfigFileError, load

log = logging.getLogger(__name__)
_CACHE: dict[tuple[str, float], RuleSet] = {}
_LAST_GOOD: dict[str, RuleSet] = {}
_LOCK = threading.Lock()


def check_file(path: str) -> RuleSet:
    """Read and check one file; ConfigFileError lists every problem with its line."""
    return read_rules(load(path))


def rules_for(settings: Settings) -> RuleSet:
    """The rules of the configured file (none without one); start-up has checked it already,
    and an edit made since is read again, but only used if it checks."""
    path = settings.config_path
    if path is None:
        return RuleSet()
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return RuleSet()
    with _LOCK:
        cached = _CACHE.get((path, stamp))
        if cached is None:
            try:
                cached = check_file(path)
            except ConfigFileError as exc:
                log.error("%s; keeping the rules read before", exc)
                cached = _LAST_GOOD.get(path, RuleSet())
            _CACHE[(path, stamp)] = _LAST_GOOD[path] = cached
        return cached
