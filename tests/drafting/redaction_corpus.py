"""Planted secrets in incident-chat sentences, generated with a fixed seed (none are real).

PLANTED: (sentence, secret, family). The look-alikes that must survive are in
redaction_lookalikes.py. Shapes follow the providers' documented formats.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import quote


class Planted(NamedTuple):
    sentence: str
    secret: str
    family: str


UP, LOW, DIG = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UP + LOW + DIG
B64 = ALNUM + "/+"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
WORDS = ("summer", "winter", "falcon", "orange", "rocket", "quartz", "maple", "harbor", "cobalt")
SLACK = ("xoxb", "xoxp", "xoxe.xoxp")
STRIPE = ("sk_live_", "rk_live_", "sk_test_", "pk_live_", "rk_test_")


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def password(rng: random.Random, extra: str = "!#$%&*?") -> str:
    """Something a person would pick: word, digits, symbol, sometimes more."""
    word = rng.choice(WORDS)
    word = word.capitalize() if rng.random() < 0.7 else word
    pw = f"{word}{rng.randint(10, 9999)}{rng.choice(extra)}"
    return pw + rand(rng, ALNUM, rng.randint(0, 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": str(rng.randint(10**6, 10**9)), "iat": 1790000000 + rng.randint(0, 10**6)}
    return f"{head}.{b64url(json.dumps(claims).encode())}.{rand(rng, URLSAFE, 43)}"


Gen = Callable[[random.Random], str]
# family -> (secret generator, sentence templates with {s}); every template is used in turn.
FAMILIES: dict[str, tuple[Gen, list[str]]] = {
    "aws-access-key": (
        lambda r: r.choice(["AKIA", "AKIA", "ASIA"]) + rand(r, UP + DIG, 16),
        [
            "found {s} in the terraform plan output, rotating",
            "CI log echoed AWS_ACCESS_KEY_ID={s} in step 4",
            "the bucket tag says prod_{s}_backup, that's a key id!",
            "rotate {s} please, it was committed to deploy-scripts",
            "attachment user-{s}-creds.csv is on the ticket",
            "key id:{s} belongs to the billing-export user",
            "aws iam delete-access-key --access-key-id {s}",
        ],
    ),
    "aws-secret-key": (
        lambda r: rand(r, B64, 40),
        [
            "pasted by mistake, ignore: {s}",
            "second column of the csv was {s}",
            "aws configure asked for the secret and I typed {s} into the wrong window",
            "{s} <- old one, already deactivated",
            "aws_secret_access_key = {s}",
            "AWS_SECRET_ACCESS_KEY: {s}",
            '{{"AccessKeyId": "AKIA0000EXAMPLE00000", "SecretAccessKey": "{s}"}}',
            "creds for the replay job: secret_{s}_old",
        ],
    ),
    "presigned-url": (
        lambda r: rand(r, HEX, 64),
        [
            "download link: https://acme-exports.s3.amazonaws.com/reports/q3.csv?X-Amz-Algorithm="
            "AWS4-HMAC-SHA256&X-Amz-Date=20261126T130000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders="
            "host&X-Amz-Signature={s}",
            "<https://acme-logs.s3.us-east-1.amazonaws.com/app.log.gz?X-Amz-Signature={s}&X-Amz-"
            "Expires=900|presigned log bundle>",
            "gcs link https://storage.googleapis.com/acme-dumps/db.sql.gz?X-Goog-Algorithm="
            "GOOG4-RSA-SHA256&X-Goog-Date=20261126T130000Z&X-Goog-Expires=900&X-Goog-Signature={s}",
        ],
    ),
    "presigned-credential": (
        lambda r: "AKIA" + rand(r, UP + DIG, 16),
        [
            "https://acme-exports.s3.amazonaws.com/r.csv?X-Amz-Credential={s}%2F20261126%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Expires=3600",
        ],
    ),
    "presigned-token": (
        lambda r: quote(rand(r, B64, 120), safe=""),
        ["session url ...&X-Amz-Security-Token={s}&X-Amz-Signature=0f0f for the support case"],
    ),
    "sas-signature": (
        lambda r: quote(rand(r, B64, 43) + "=", safe=""),
        [
            "SAS url https://acmeprod.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b"
            "&srt=o&sp=r&se=2026-11-27T00:00:00Z&spr=https&sig={s}",
            "cloudfront https://d111abcdef8.cloudfront.net/v/intro.mp4?Expires=1790000000"
            "&Signature={s}&Key-Pair-Id=K2JCJMDEHXQW5F",
        ],
    ),
    "slack-token": (
        lambda r: f"{r.choice(SLACK)}-{rand(r, DIG, 12)}-{rand(r, DIG, 13)}-{rand(r, ALNUM, 24)}",
        [
            "the bot token {s} was in the helm values",
            "SLACK_BOT_TOKEN={s} showed up in sentry breadcrumbs",
            "someone DMed me {s}, revoking",
        ],
    ),
    "slack-app-token": (
        lambda r: f"xapp-1-A{rand(r, UP + DIG, 10)}-{rand(r, DIG, 13)}-{rand(r, HEX, 64)}",
        ["socket mode token {s} leaked in the runbook"],
    ),
    "slack-webhook": (
        lambda r: rand(r, ALNUM, 24),
        [
            "alerts go to https://hooks.slack.com/services/T0ACME123/B0ALERTS9/{s} for now",
            "webhook=https://hooks.slack.com/services/T0ACME123/B07X9Y8Z7/{s}",
        ],
    ),
    "github-token": (
        lambda r: r.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + rand(r, ALNUM, 36),
        [
            "GH_TOKEN_{s} is what the action printed",
            "git clone https://x-access-token:{s}@github.com/acme/api.git",
            "Authorization: token {s}",
            "the PAT {s} has repo scope, revoke it",
        ],
    ),
    "github-fine-grained": (
        lambda r: f"github_pat_{rand(r, ALNUM, 22)}_{rand(r, ALNUM, 59)}",
        ["renovate uses {s} which expires tomorrow"],
    ),
    "gitlab-token": (
        lambda r: r.choice(["glpat-", "gldt-", "glrt-", "GR1348941"]) + rand(r, URLSAFE, 20),
        [
            "runner registered with {s}",
            "CI_JOB_TOKEN is fine but {s} was in the MR description",
            "glab auth login --token {s}",
        ],
    ),
    "npm-token": (
        lambda r: "npm_" + rand(r, ALNUM, 36),
        ["//registry.npmjs.org/:_authToken={s}", "publish failed with {s} (automation token)"],
    ),
    "pypi-token": (
        lambda r: "pypi-AgEIcHlwaS5vcmc" + rand(r, URLSAFE, 80),
        ["twine upload -u __token__ -p {s} dist/*", "the PyPI token {s} is in the workflow log"],
    ),
    "stripe-key": (
        lambda r: r.choice(STRIPE) + rand(r, ALNUM, 24),
        ["stripe key {s} in the checkout logs", "STRIPE_KEY={s}", "rotated {s}, deploy pending"],
    ),
    "stripe-webhook": (
        lambda r: "whsec_" + rand(r, ALNUM, 32),
        ["signing secret {s} is in the old gist"],
    ),
    "twilio-key": (
        lambda r: r.choice(["AC", "SK"]) + rand(r, HEX, 32),
        ["twilio sid {s} from the sms service", "api key sid={s}; secret is in vault"],
    ),
    "sendgrid-key": (
        lambda r: f"SG.{rand(r, URLSAFE, 22)}.{rand(r, URLSAFE, 43)}",
        ["mailer uses {s}", "SENDGRID_API_KEY={s}"],
    ),
    "google-api-key": (
        lambda r: "AIza" + rand(r, URLSAFE, 35),
        ["maps key {s} is unrestricted", "https://maps.googleapis.com/maps/api/js?key={s}"],
    ),
    "google-oauth": (
        lambda r: r.choice(["GOCSPX-" + rand(r, URLSAFE, 28), "ya29." + rand(r, URLSAFE, 60)]),
        ["oauth client secret {s} is in the repo", "access token: {s}"],
    ),
    "azure-secret": (
        lambda r: rand(r, ALNUM, 3) + r.choice(DIG) + "Q~" + rand(r, ALNUM + "_~.-", 34),
        ["AAD app secret {s} expires in 3 days", "client secret value {s}"],
    ),
    "azure-storage": (
        lambda r: rand(r, B64, 86) + "==",
        [
            "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={s};"
            "EndpointSuffix=core.windows.net",
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;"
            "SharedAccessKey={s}",
        ],
    ),
    "openai-key": (
        lambda r: "sk-proj-" + rand(r, URLSAFE, 48),
        ["the summarizer still had {s} hardcoded"],
    ),
    "jwt": (
        jwt,
        ["session cookie was {s}", "Authorization: Bearer {s}", "replayed with jwt={s}"],
    ),
    "private-key": (
        lambda r: "\n".join(rand(r, B64, 64) for _ in range(r.randint(3, 6))),
        [
            "-----BEGIN RSA PRIVATE KEY-----\n{s}\n-----END RSA PRIVATE KEY-----",
            "deploy key below\n-----BEGIN OPENSSH PRIVATE KEY-----\n{s}\n"
            "-----END OPENSSH PRIVATE KEY-----\nplease rotate",
            "truncated paste: -----BEGIN EC PRIVATE KEY-----\n{s}",
        ],
    ),
    "url-password": (
        lambda r: password(r, "@:!#%*?~@"),
        [
            "connect postgres://app:{s}@db-primary.internal:5432/orders",
            "mongodb+srv://svc-reader:{s}@cluster0.ab1cd.mongodb.net/?retryWrites=true",
            "REDIS_URL=redis://:{s}@cache-1:6379/0",
            "amqp://guest:{s}@rabbit.internal:5672/ is refusing connections",
            "mysql://root:{s}@10.0.3.7/app works from the bastion",
        ],
    ),
    "env-assignment": (
        lambda r: r.choice([password(r), rand(r, HEX, 32), rand(r, URLSAFE, 28)]),
        [
            "export DATADOG_API_TOKEN={s}",
            "DB_PASS={s}",
            "SMTP_PASS: {s}",
            '{{"db_password": "{s}", "db_host": "db-1"}}',
            "REDIS_PASSWORD='{s}'",
            "STRIPE_WEBHOOK_SECRET={s}",
            "client_secret: {s}",
            "kubectl create secret generic db --from-literal=password={s}",
            "PGPASSWORD={s} psql -h db-primary -U app",
            '{{"apiKey": "{s}", "region": "eu"}}',
            "helm upgrade api ./chart --set db.password={s}",
            "MYSQL_ROOT_PASSWORD={s}",
            "X-Api-Key: {s}",
            "ENCRYPTION_KEY={s} in the .env that got committed",
            "SENTRY_AUTH_TOKEN={s}",
        ],
    ),
    "prose-password": (
        password,
        [
            "the password is {s}",
            "the new admin password was {s} but I changed it",
            "password: {s}",
            "db password is now {s}",
            "the shared secret was {s}",
            "Password for the staging bastion is {s}.",
            "pw is {s} fyi",
            "run the migration with --password {s}",
            'the api key is "{s}"',
        ],
    ),
    "connection-string": (
        lambda r: password(r, "!#$%*?@"),
        [
            "Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=orders;User ID=svc;"
            "Password={s};Encrypt=True;",
            "Data Source=db01;User Id=sa;Pwd={s};",
            "jdbc:postgresql://db:5432/app?user=app&password={s}&ssl=true",
            "host=db-primary port=5432 user=app password={s} dbname=orders",
        ],
    ),
    "basic-auth": (
        lambda r: base64.b64encode(f"{r.choice(WORDS)}:{password(r)}".encode()).decode(),
        ['curl -H "Authorization: Basic {s}" https://api.internal', "Authorization: Basic {s}"],
    ),
    "bearer-token": (
        lambda r: rand(r, URLSAFE + ".~", r.randint(24, 64)),
        ["curl -H 'Authorization: Bearer {s}' https://api.internal/v1/orders", "bearer {s}"],
    ),
}
PER_FAMILY = 8


def build(seed: int = 20261126) -> list[Planted]:
    """Eight secrets per family (more for families with many templates), each in a sentence."""
    rng = random.Random(seed)
    planted: list[Planted] = []
    for family, (gen, templates) in FAMILIES.items():
        for i in range(max(PER_FAMILY, len(templates))):
            secret = gen(rng)
            planted.append(Planted(templates[i % len(templates)].format(s=secret), secret, family))
    return planted


PLANTED = build()
