"""manifest.yml is a valid Slack app manifest that grants exactly what the bot's features need.

Schema choice: manifest.yml is a *classic* app manifest (`_metadata.major_version: 1`), the kind
pasted into api.slack.com/apps for an HTTP or Socket Mode app. Schema 2.0.0 describes the
next-generation (Deno "run on Slack") manifest with functions and workflows; Slack's own
dispatcher schema (manifest.schema.json) picks 1.0.0 for major_version 1 or no _metadata.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "slack"
REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
REQUEST_URL = "https://example.com/slack/events"


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.fixture(scope="module")
def dispatcher() -> jsonschema.Draft7Validator:
    """Slack's all-versions schema, its remote $refs served from the copied files."""
    registry: Registry = Registry()
    for version in ("1.0.0", "2.0.0"):
        schema = _json(f"manifest.schema.{version}.json")
        url = f"{REMOTE}manifest.schema.{version}.json"
        registry = registry.with_resource(url, Resource.from_contents(schema))
    return jsonschema.Draft7Validator(_json("manifest.schema.json"), registry=registry)


def _v1_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(_json("manifest.schema.1.0.0.json"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_manifest_is_valid_against_schema_1_0_0(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"]["major_version"] == 1
    assert _v1_errors(manifest) == []


def test_manifest_is_valid_against_slacks_version_dispatcher(
    manifest: dict[str, Any], dispatcher: jsonschema.Draft7Validator
) -> None:
    dispatcher.validate(manifest)


def test_schemas_reject_the_invalid_example_and_accept_the_valid_one(
    dispatcher: jsonschema.Draft7Validator,
) -> None:
    # Upstream's v2 example pair differs only in a misplaced `interactivity` property.
    invalid, valid = (
        _json("manifest.v2.invalid.example.json"),
        _json("manifest.v2.valid.example.json"),
    )
    v2 = jsonschema.Draft7Validator(_json("manifest.schema.2.0.0.json"))
    assert list(v2.iter_errors(invalid)), "schema 2.0.0 must reject the invalid example"
    assert not dispatcher.is_valid(invalid)
    v2.validate(valid)
    dispatcher.validate(valid)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("features", "shortcuts", 0, "name"), "Add this message to the incident timeline"),
        (("features", "slash_commands", 0, "command"), "incident"),
        (("features", "slash_commands", 0, "should_escape"), "yes"),
        (("settings", "interactivity", "request_url"), "example.com/slack/events"),
        (("settings", "unknown_setting"), True),
    ],
)
def test_schema_1_0_0_catches_mistakes_in_our_manifest(
    manifest: dict[str, Any], path: tuple[Any, ...], value: Any
) -> None:
    broken = copy.deepcopy(manifest)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _v1_errors(broken)


def test_incident_command_escapes_mentions_and_points_at_the_app(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/incident"
    assert command["should_escape"] is True  # @user arrives as <@U123>
    assert command["url"] == REQUEST_URL
    assert command["usage_hint"]


def test_one_request_url_for_commands_events_interactivity(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == REQUEST_URL
    assert settings["interactivity"] == {"is_enabled": True, "request_url": REQUEST_URL}
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False


def test_message_shortcut_and_app_home(manifest: dict[str, Any]) -> None:
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut == {
        "name": "Add to incident timeline",
        "type": "message",
        "callback_id": "add_to_timeline",
        "description": shortcut["description"],
    }
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


# The reference lists these events' scopes only in its prose ("at least one of the channels:read
# or groups:read scopes"); the test reads them out of the prose, then uses them.
_SCOPES_IN_PROSE = {
    "member_joined_channel": ["channels:read", "groups:read"],
    "member_left_channel": ["channels:read", "groups:read"],
}
_PROSE_SCOPES = re.compile(r"at least one of the ([a-z]+:[a-z.]+) or ([a-z]+:[a-z.]+) scopes")


def test_member_event_scopes_are_the_documented_ones() -> None:
    for event, scopes in _SCOPES_IN_PROSE.items():
        prose = _json(f"events/{event}.json")["long_desc"]
        documented = _PROSE_SCOPES.findall(prose)
        assert documented, f"Slack's page for {event} no longer names its scopes in prose"
        assert [list(pair) for pair in documented] == [scopes], event


def test_every_event_subscription_has_a_granted_scope(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == {
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "pin_added",
        "app_home_opened",
        "member_joined_channel",
        "member_left_channel",
    }
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in events:
        reference = _json(f"events/{event}.json")  # Slack's reference for the event
        needed = reference.get("scopes") or _SCOPES_IN_PROSE.get(event, [])
        assert not needed or granted.intersection(needed), f"{event} needs one of {needed}"


def test_every_bot_scope_is_justified_by_a_comment() -> None:
    lines = (ROOT / "manifest.yml").read_text().splitlines()
    start = lines.index("    bot:")
    scope_lines = []
    for i in range(start + 1, len(lines)):
        if not lines[i].startswith(("      - ", "      #")):
            break  # end of the bot scope list
        if lines[i].startswith("      - "):
            scope_lines.append(i)
    assert scope_lines
    for i in scope_lines:
        assert lines[i - 1].strip().startswith("#"), f"no justification above {lines[i]!r}"


def test_bot_scopes_are_unique_and_exactly_the_needed_ones(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "channels:manage",
        "groups:write",
        "channels:read",
        "groups:read",
        "channels:history",
        "groups:history",
        "pins:read",
        "pins:write",
        "reactions:read",
        "bookmarks:write",
        "users:read",
        "usergroups:read",  # workflows invite the members of user groups
        "files:write",
        "files:read",
        "canvases:write",
        "im:write",
        "im:history",  # reminders: was a DM whose answer was lost delivered?
        "bookmarks:read",  # the card bookmark: was it added before an answer was lost?
    }
