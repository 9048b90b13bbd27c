"""`incident-bot status-page build DIR` and `config check` of `status_page:`, as real
processes on the database the running app wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.support.cli import run_cli
from tests.support.statuspage import first_public_update, get, start_status_page


def test_build_writes_the_page_as_static_files(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Internal: kafka lag")
    first_public_update(
        slack,
        channel,
        title="Delayed emails",
        text="Emails are delayed.",
        impacts={"API": "partial_outage"},
    )
    env = {
        "DATABASE_URL": slack.settings.DATABASE_URL,
        "INCIDENT_CONFIG": str(tmp_path / "incident-bot.yml"),
    }
    out = tmp_path / "site"
    refused = run_cli(["status-page", "build", str(out)], tmp_path, **env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("incident-bot: INCIDENT_STATUS_PAGE_URL is not set")

    url = "https://status.example.com"
    done = run_cli(
        ["status-page", "build", str(out)], tmp_path, INCIDENT_STATUS_PAGE_URL=url, **env
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 4 files" in done.stdout
    index = (out / "index.html").read_text()
    assert "Delayed emails" in index and "Partial outage" in index and "kafka" not in index
    [link] = re.findall(r'href="(\./incidents/[a-z0-9]+)"', index)
    page = (out / link / "index.html").read_text()
    assert "Emails are delayed." in page and 'href="../../"' in page
    summary = json.loads((out / "summary.json").read_text())
    assert summary["page"]["url"] == url
    assert summary["incidents"][0]["shortlink"].startswith(f"{url}/incidents/")
    assert "<entry>" in (out / "feed.atom").read_text().replace("ns0:", "")
    served = get(slack.url, "/status/summary.json").json()
    assert served["incidents"][0]["incident_updates"] == summary["incidents"][0]["incident_updates"]


def test_config_check_names_the_line_of_a_bad_component(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(
        "status_page:\n  components:\n    - name: API\n    - name: API\n    - {nme: Web}\n"
    )
    checked = run_cli(["config", "check", "bad.yml"], tmp_path)
    assert checked.returncode == 1
    assert "bad.yml line 4: component `API` twice" in checked.stderr
    assert "bad.yml line 5: status_page.components: unknown key `nme`" in checked.stderr
    (tmp_path / "good.yml").write_text("status_page:\n  components: [API, Web]\n")
    good = run_cli(["config", "check", "good.yml"], tmp_path)
    assert good.returncode == 0 and "2 status page components" in good.stdout
