"""A local HTTP fake of the Slack Web API, for tests.

    with FakeSlack() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        ...
        fake.wait_for(lambda f: f.calls_to("chat.postMessage"))
        fake.assert_no_violations()

Every call is checked against Slack's published method reference (tests/fixtures/slack):
missing required or unknown arguments, Block Kit limits and scopes that manifest.yml does not
grant are recorded in `fake.violations` and answered with the error Slack would give.

Slack's rate limits are enforced on request (`FakeSlack(rate_limits=True)`,
`fake.enforce_rate_limits(scale=...)`, see ratelimits.py); `fake.slow(method, seconds)` and
`fake.drop_answer(method)` make answers late or lost; `fake.socket_mode` serves Socket Mode
(apps.connections.open with `fake.app_token`), see socket_mode.py.
"""

from .fake import FakeSlack, manifest_bot_scopes
from .state import Call, Channel, UploadedFile, User

__all__ = ["Call", "Channel", "FakeSlack", "UploadedFile", "User", "manifest_bot_scopes"]
