"""Incident-chat sentences that look like secrets but are not: redaction must leave them alone.

LOOKALIKES: (sentence, kind), generated with a fixed seed; plus NORMAL_CHAT, ordinary lines
for the throughput benchmark.
"""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable
from typing import NamedTuple

from tests.drafting.redaction_corpus import ALNUM, HEX, LOW, rand


class Lookalike(NamedTuple):
    sentence: str
    kind: str


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _ulid(r: random.Random) -> str:
    return rand(r, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 26)


def _pod(r: random.Random) -> str:
    app = r.choice(["checkout-api", "payments-worker", "search-indexer", "auth-gateway"])
    return f"{app}-{rand(r, 'bcdfghjklmnpqrstvwxz2456789', 10)}-{rand(r, LOW + '2456789', 5)}"


Gen = Callable[[random.Random], str]
# kind -> (value generator, templates with {v}); every template is used in turn.
KINDS: dict[str, tuple[Gen, list[str]]] = {
    "sha7": (
        lambda r: rand(r, HEX, 7),
        ["deployed {v} to prod at 13:05", "reverting {v} (bump deps)", "is {v} on canary yet?"],
    ),
    "sha40": (
        lambda r: rand(r, HEX, 40),
        [
            "git show {v} -- api/handlers.py",
            "merge commit {v} broke the build",
            "https://github.com/acme/api/commit/{v}",
        ],
    ),
    "uuid": (
        lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
        [
            "PagerDuty incident {v} acknowledged",
            "tenant_id={v} is the noisy one",
            "order {v} was charged twice",
        ],
    ),
    "request-id": (
        lambda r: r.choice(["req_" + _ulid(r), rand(r, HEX, 32), "Root=1-" + rand(r, HEX, 8)]),
        ["X-Request-Id: {v} returned 502", "request_id={v} timed out after 30s", "see req {v}"],
    ),
    "trace-id": (
        lambda r: rand(r, HEX, 32),
        [
            "trace_id={v} shows the db span taking 4s",
            "traceparent: 00-{v}-00f067aa0ba902b7-01",
            "jaeger trace {v}",
        ],
    ),
    "base64-text": (
        lambda r: _b64(r.choice(["hello world", "the quick brown fox jumps over", "ok", "{}"])),
        ["the payload was {v}", "body (base64): {v}", "echo {v} | base64 -d"],
    ),
    "cursor": (
        lambda r: _b64(f'{{"page":{r.randint(2, 99)},"limit":50}}').rstrip("="),
        ["next cursor={v} returns an empty page", "pagination token {v} loops forever"],
    ),
    "hostname": (
        lambda r: f"ip-10-0-{r.randint(0, 255)}-{r.randint(1, 254)}.ec2.internal",
        ["{v} is unreachable", "ssh {v} works from the bastion", "drain {v} before reboot"],
    ),
    "pod": (
        _pod,
        ["{v} is in CrashLoopBackOff", "kubectl logs {v} -c app --previous", "OOMKilled: {v}"],
    ),
    "iso-date": (
        lambda r: (
            f"2026-11-{r.randint(1, 30):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z"
        ),
        ["started at {v}", "cert expires {v}", "last good deploy {v}"],
    ),
    "semver": (
        lambda r: f"{r.randint(0, 9)}.{r.randint(0, 40)}.{r.randint(0, 20)}",
        ["rolled back to v{v}", "client {v} is the one retrying", "kubelet {v}-eks-2d98532"],
    ),
    "image-digest": (
        lambda r: "sha256:" + rand(r, HEX, 64),
        [
            "image ghcr.io/acme/api@{v} is the bad one",
            "docker pull registry.internal/checkout@{v}",
            "layer {v} failed to extract",
        ],
    ),
    "s3-path": (
        lambda r: (
            f"s3://acme-logs/prod/2026/11/{r.randint(1, 30):02d}/app-{rand(r, HEX, 8)}.log.gz"
        ),
        ["copied {v} to the incident bucket", "aws s3 cp {v} .", "the export is at {v}"],
    ),
    "aws-ids": (
        lambda r: f"{r.randint(10**11, 10**12 - 1)}",
        [
            "arn:aws:iam::{v}:role/deploy assumed by CI",
            "account {v} hit the Lambda concurrency limit",
            "arn:aws:s3:::acme-exports-{v}/reports",
        ],
    ),
    "slack-ids": (
        lambda r: r.choice("CUG") + rand(r, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10),
        ["moved to <#{v}|inc-42-checkout>", "ping <@{v}> for the db side", "thread in {v}"],
    ),
    "md5": (
        lambda r: rand(r, HEX, 32),
        ["md5 of the artifact is {v}", "etag {v} did not change", "config checksum {v}"],
    ),
    "url": (
        lambda r: f"{r.randint(100, 9999)}",
        [
            "https://grafana.acme.dev/d/abc123/checkout?orgId=1&from=now-1h&var-pod=all&id={v}",
            "https://github.com/acme/api/pull/{v}",
            "git@github.com:acme/api.git branch fix-{v}",
            "https://acme.atlassian.net/browse/INC-{v}?focusedCommentId=1",
            "https://registry.npmjs.org:443/@acme/sdk/-/sdk-1.{v}.0.tgz",
        ],
    ),
    "email-ip": (
        lambda r: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        ["paged ops@acme.dev about {v}", "{v}:5432 refuses connections", "allowlist {v}/32"],
    ),
    "words": (
        lambda r: f"{r.randint(2, 59)}",
        [
            "password reset page is down for {v} minutes",
            "the token refresh job has been stuck for {v}m",
            "we need to rotate the secret after this, ETA {v}m",
            "key rotation runbook step {v} is outdated",
            "max_tokens=4096 for the summarizer, {v} calls so far",
            "did basic troubleshooting, {v} pods restarted",
            "Bearer tokens expire hourly, ours lasted {v}h",
            "password was rotated {v} minutes ago",
            "the secret is in vault under ops/{v}",
            "the api key is stored in 1Password ({v} people have access)",
            "auth: ok on all {v} pods",
            "token: expired ({v} requests failed)",
            "password: see 1Password item {v}",
            "primary key: id, {v} duplicates",
            "tests passed: {v}, failed: 0",
            "bypass=true for {v} tenants",
            "signature verification failed for {v} webhooks",
            "the password is wrong for {v} users after the LDAP sync",
            "credentials: rotated, {v} services restarted",
            "OAuth: enabled for {v} apps",
            "secretName: db-credentials, {v} replicas",
            "password_reset_url=https://acme.dev/reset?step={v}",
            "X-Amz-Date=20261126T13{v}00Z looks skewed",
            "Basic Authentication is disabled on {v} endpoints",
            "sk-{v} is the sku of the widget",
            "AC unit in row {v} of the DC failed",
            "keys starting with AKIA are long-term, {v} of them",
            "npm_config_cache is full on {v} runners",
            "token bucket rate: {v}00/s",
            "API key page shows {v} active keys",
            "auth_method: oauth on {v} clusters",
            "token_type: bearer, expires_in: {v}00",
            "cache_key=user:{v}:profile is hot",
            "idempotency_key: order-{v} replayed",
            "secret_arn=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-{v}",
            "PASSWORD_FILE=/run/secrets/db-{v}",
            "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsab u{v}",
            "passwordless login is broken for {v} users",
            "git push origin feature/secret-rotation-{v}",
        ],
    ),
    "random-looking": (
        lambda r: rand(r, ALNUM, 22),
        [
            "Sentry issue {v} regressed",
            "grafana dashboard uid {v}",
            "the stripe customer cus_{v} disputes",
        ],
    ),
}
PER_KIND = 10


def build(seed: int = 11) -> list[Lookalike]:
    """Ten look-alikes per kind (more for kinds with many templates)."""
    rng = random.Random(seed)
    out: list[Lookalike] = []
    for kind, (gen, templates) in KINDS.items():
        for i in range(max(PER_KIND, len(templates))):
            out.append(Lookalike(templates[i % len(templates)].format(v=gen(rng)), kind))
    return out


LOOKALIKES = build()

NORMAL_CHAT = [
    "checkout error rate back under 0.1%, keeping the incident open for 30 more minutes",
    "I'm looking at the db dashboards now, replication lag is 4s on the replica",
    "can someone from payments join the bridge?",
    "rolling restart of the api deployment started 13:42",
    "customer support says tickets are coming in from EU users only",
    "ok",
    "+1",
    "mitigated. root cause looks like the connection pool limit change in yesterday's deploy",
    "status page updated: investigating elevated errors on checkout",
    "p99 latency 2.3s -> 450ms after scaling the worker pool to 24",
    "who owns the feature flag new-pricing-engine? turning it off",
    "the canary in us-east-1 is healthy, promoting to 50%",
    "let's do the postmortem thursday 10:00, I'll send the invite",
    "alert fired again at 14:05 but it's the same symptom, ignoring",
    "opened INC-4821 for the follow-up on retries",
]
