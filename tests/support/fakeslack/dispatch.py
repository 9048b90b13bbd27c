"""Answering Web API calls: auth, injected faults, reference checks, scopes, handlers."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import api_chat, api_conversations, api_files, api_misc  # noqa: F401 - register handlers
from .ratelimits import RateLimited, RateLimiter
from .reference import MethodRef, check_args, message_fallback_problem, method_refs
from .state import Call, SlackError
from .workspace import HANDLERS, Args, Workspace, _real_monotonic

_MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
CONNECTIONS_OPEN = "apps.connections.open"  # the one method the app-level (xapp-) token calls
NO_ANSWER = 0  # handle_api's status for "close the connection without an HTTP answer"


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
        self.delay = 0.0  # seconds every call waits before it is handled
        self.app_token = ""  # the app-level token apps.connections.open takes (FakeSlack sets it)
        self.rate_limiter: RateLimiter | None = None
        self._rate_limited: list[RateLimited] = []
        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._slow: dict[str, float] = {}
        self._drops: dict[str, int] = {}

    # ---- Slack's rate limits ---------------------------------------------------------------
    def enforce_rate_limits(
        self, scale: float = 1.0, post_burst: int = 4, tiers: Mapping[str, int] | None = None
    ) -> None:
        """Answer like Slack when a method's tier (or chat.postMessage's 1/s per channel) is
        exceeded: see ratelimits.py. `scale` speeds refills up (10: ten times faster);
        `tiers` overrides methods' tiers, e.g. {"conversations.setTopic": 1}."""
        with self.lock:
            self.rate_limiter = RateLimiter(scale, post_burst, tiers)

    def stop_enforcing_rate_limits(self) -> None:
        with self.lock:
            self.rate_limiter = None

    def rate_limited_calls(self) -> list[RateLimited]:
        """Every call answered 429 by the enforced rate limits, in order."""
        with self.lock:
            return list(self._rate_limited)

    # ---- latency and lost answers ----------------------------------------------------------
    def slow(self, method: str, seconds: float) -> None:
        """Answer calls of `method` ('*' = all) `seconds` after doing their work (0 = stop).

        Other calls are not held up: the server answers each connection in its own thread."""
        with self.lock:
            if seconds > 0:
                self._slow[method] = seconds
            else:
                self._slow.pop(method, None)

    def drop_answer(self, method: str, times: int = 1) -> None:
        """For the next `times` calls of `method` ('*' = any): do the work, record the call,
        then close the connection without an HTTP answer (the client sees it disconnect)."""
        if times > 0:
            with self.lock:
                self._drops[method] = self._drops.get(method, 0) + times

    def _take_drop(self, method: str) -> bool:
        for key in (method, "*"):
            if self._drops.get(key, 0) > 0:
                self._drops[key] -= 1
                return True
        return False

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
        """Answer one Web API call: (HTTP status, extra headers, JSON body).

        Status NO_ANSWER (0) tells the server to close the connection without answering."""
        received = _real_monotonic()  # Slack times trigger_ids from receipt, not from answer
        if self.delay:
            time.sleep(self.delay)
        token = (authorization or "").removeprefix("Bearer ").strip() or str(raw.get("token", ""))
        args = Args.parse({k: v for k, v in raw.items() if k != "token"})
        with self.lock:
            self.received_at = received
            status, headers, answer = self._answer(method, args, is_json, token)
            dropped = self._take_drop(method)
            self._calls.append(Call(method, dict(args), answer, status, time.time(), dropped))
            slow = self._slow.get(method, self._slow.get("*", 0.0))
        if slow:
            time.sleep(slow)
        return (NO_ANSWER, {}, {}) if dropped else (status, headers, answer)

    def _answer(
        self, method: str, args: Args, is_json: bool, token: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token not in (self.bot_token, self.app_token):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if (token == self.app_token) != (method == CONNECTIONS_OPEN):
            return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
        channel = args.get("channel") or args.get("channel_id")
        fault = self._take_fault(method, channel)
        if fault is not None:
            if fault.kind == "rate_limit":
                retry = {"Retry-After": str(fault.retry_after)}
                return 429, retry, {"ok": False, "error": "ratelimited"}
            if fault.kind == "server_error":
                return fault.status, {}, {"ok": False, "error": "fatal_error"}
            return 200, {}, {"ok": False, "error": fault.error}
        if self.rate_limiter is not None:
            key = self._channel_key(channel)
            retry_after = self.rate_limiter.take(method, key)
            if retry_after is not None:
                limited = RateLimited(method, key, _real_monotonic(), retry_after)
                self._rate_limited.append(limited)
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if method == CONNECTIONS_OPEN:  # not in the copied reference: Socket Mode only
            return 200, {}, {"ok": True, "url": self.socket_mode_url()}
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

    def socket_mode_url(self) -> str:
        """A one-time WebSocket URL for apps.connections.open (FakeSlack serves Socket Mode)."""
        raise NotImplementedError

    def _channel_key(self, channel: object) -> str | None:
        """The conversation id a `channel` argument names (names and user ids as given)."""
        if not isinstance(channel, str) or not channel:
            return None
        found = self.channel_by_name(channel) if channel not in self.channels else None
        return found.id if found is not None else channel

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
