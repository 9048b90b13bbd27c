"""Answering Web API calls: auth, injected faults, reference checks, scopes, handlers."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import api_chat, api_conversations, api_files, api_misc  # noqa: F401 - register handlers
from .reference import MethodRef, check_args, message_fallback_problem, method_refs
from .state import Call, SlackError
from .workspace import HANDLERS, Args, Workspace, _real_monotonic

_MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


@dataclass
class _Fault:
    kind: str  # "fail" | "rate_limit" | "server_error"
    times: int
    error: str = ""
    status: int = 200
    retry_after: int = 0
    channel: str | None = None  # only calls whose `channel` argument is this one


class WebApi(Workspace):
    """The workspace plus the Web API's front door; FakeSlack adds the HTTP server around it."""

    def __init__(
        self,
        bot_token: str,
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(bot_token, team_id, bot_user_id, bot_id, clock)
        self.delay = 0.0
        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}

    # ---- faults ----------------------------------------------------------------------------
    def fail(
        self, method: str, error: str = "name_taken", times: int = 1, channel: str | None = None
    ) -> None:
        """Answer `{"ok": false, "error": error}` to the next `times` calls ('*' = any method;
        `channel`: only calls to that channel)."""
        self._add_fault(method, _Fault("fail", times, error=error, channel=channel))

    def rate_limit(
        self, method: str, retry_after: int = 1, times: int = 1, channel: str | None = None
    ) -> None:
        """Answer HTTP 429 with Retry-After to the next `times` calls."""
        fault = _Fault("rate_limit", times, status=429, retry_after=retry_after, channel=channel)
        self._add_fault(method, fault)

    def server_error(
        self, method: str, status: int = 500, times: int = 1, channel: str | None = None
    ) -> None:
        """Answer HTTP `status` (5xx) to the next `times` calls."""
        self._add_fault(method, _Fault("server_error", times, status=status, channel=channel))

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.times <= 0:
            return
        with self.lock:
            self._faults.setdefault(method, []).append(fault)

    def _take_fault(self, method: str, channel: object) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key) or []
            for fault in queue:
                if fault.channel not in (None, channel):
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    queue.remove(fault)
                return fault
        return None

    # ---- calls -----------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """Every Web API call so far, in order (the live list: `fake.calls.clear()` works)."""
        return self._calls

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        with self.lock:
            return [c for c in self._calls if c.method == method]

    # ---- the Web API -----------------------------------------------------------------------
    def handle_api(
        self, method: str, raw: dict[str, Any], is_json: bool, authorization: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
        received = _real_monotonic()  # Slack times trigger_ids from receipt, not from answer
        if self.delay:
            time.sleep(self.delay)
        token = (authorization or "").removeprefix("Bearer ").strip() or str(raw.get("token", ""))
        args = Args.parse({k: v for k, v in raw.items() if k != "token"})
        with self.lock:
            self.received_at = received
            status, headers, answer = self._answer(method, args, is_json, token)
            self._calls.append(Call(method, dict(args), answer, status, time.time()))
        return status, headers, answer

    def _answer(
        self, method: str, args: Args, is_json: bool, token: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token != self.bot_token:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        fault = self._take_fault(method, args.get("channel") or args.get("channel_id"))
        if fault is not None:
            if fault.kind == "rate_limit":
                retry = {"Retry-After": str(fault.retry_after)}
                return 429, retry, {"ok": False, "error": "ratelimited"}
            if fault.kind == "server_error":
                return fault.status, {}, {"ok": False, "error": "fatal_error"}
            return 200, {}, {"ok": False, "error": fault.error}
        ref = method_refs().get(method)
        if ref is None or method not in HANDLERS:
            self.violations.append(f"{method}: not a method the fake knows (unknown_method)")
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if is_json and not ref.json_input_supported:
            self.violations.append(f"{method}: sent as JSON but the method takes form data only")
        checked = check_args(ref, args)
        self.violations.extend(checked.violations)
        if method in _MESSAGE_METHODS and (problem := message_fallback_problem(ref, args)):
            self.violations.append(problem)
        if checked.error:
            return 200, {}, {"ok": False, "error": checked.error}
        try:
            self._check_scopes(ref, method, args)
            return 200, {}, HANDLERS[method](self, args)
        except SlackError as err:
            return 200, {}, {"ok": False, "error": err.code, **err.extra}
        except Exception:  # a bug in the fake must show up in the test, not hang it
            self.violations.append(f"fakeslack crashed on {method}:\n{traceback.format_exc()}")
            return 500, {}, {"ok": False, "error": "fatal_error"}

    def _check_scopes(self, ref: MethodRef, method: str, args: Args) -> None:
        if self.granted_scopes is None or not ref.bot_scopes:
            return
        kind = None
        target = args.get("channel") or args.get("channel_id")
        if isinstance(target, str) and target in self.channels:
            kind = self.conversation_kind(self.channels[target])
        elif method == "conversations.create":
            kind = "private" if args.bool("is_private") else "public"
        elif method == "conversations.open":
            kind = "im"
        needed = ref.scopes_for(kind)
        if not self.granted_scopes.intersection(needed):
            self.violations.append(
                f"{method}: missing_scope, needs one of {needed}; manifest.yml grants "
                f"{sorted(self.granted_scopes)}"
            )
            raise SlackError(
                "missing_scope",
                needed=",".join(needed),
                provided=",".join(sorted(self.granted_scopes)),
            )
