"""Everything a payload claims is checked: each interaction re-derives the incident from what it
names (a channel, an incident or entry number, an action item) and checks the person acting
against that incident's members and privacy. Here a non-member (U3) forges each kind against
a private incident: refused with one line, nothing stored, nothing posted in its channel."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.models import ActionItem, Incident, Postmortem, TimelineEntry, TimelineRevision
from bot.slack import ids
from tests.support.harness import SlackHarness
from tests.support.seen import leaks, lines_to, settle

SECRET = "Zebra vault breach"
CHANGE = "Only members of the private channel of incident 1 can change it."
NO_ITEM = "There is no action item AI-1. `/incident actions` lists yours."
NO_INCIDENT = "There is no incident 1."
NO_CAPTURE = "Only members of the incident channel can add to its timeline: join the channel first."
CHANNEL_EFFECTS = {
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "pins.add",
    "bookmarks.add",
    "conversations.invite",
    "conversations.setTopic",
    "files.completeUploadExternal",
    "canvases.create",
}


@dataclass
class World:
    private: str  # the private incident's channel (incident 1; U1 is its only member)
    card_ts: str
    entry: int  # a note on its timeline
    item: int  # its action item (owner U1)
    message_ts: str  # a person's message in its channel
    own: str  # the forger's own public incident, where U3 may open modals legitimately
    own_card_ts: str
    own_entry: int


def _world(slack: SlackHarness) -> World:
    private = slack.declare(SECRET, user="U1", flags="--private")
    card_ts = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    slack.command("note the vault door was open", user="U1", channel=private)
    slack.command("action Rotate the vault keys <@U1>", user="U1", channel=private)
    # The note and the item may arrive as two posts or as one merged echo: wait for the item.
    slack.fake.wait_for(
        lambda f: any(
            c.ok and c.args.get("channel") == private and "Rotate the vault keys" in str(c.args)
            for c in f.calls_to("chat.postMessage")
        ),
        what="the action item's echo",
    )
    message_ts = slack.fake.add_message(private, "U1", "who opened the vault?")
    own = slack.declare("Mallory's own incident", user="U3")
    slack.fake.wait_for(lambda f: any("Incident 2 declared" in t for t in slack.ephemerals()))
    own_card_ts = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    slack.command("note mallory was here", user="U3", channel=own)
    slack.fake.wait_for(lambda f: any("mallory was here" in p for p in slack.posts(own)))
    with slack.deps.db.unit_of_work() as session:
        entry = session.scalar(
            select(TimelineEntry.id).where(TimelineEntry.text == "the vault door was open")
        )
        own_entry = session.scalar(
            select(TimelineEntry.id).where(TimelineEntry.text == "mallory was here")
        )
        item = session.scalar(select(ActionItem.id))
    assert entry and own_entry and item == 1
    return World(private, card_ts, entry, item, message_ts, own, own_card_ts, own_entry)


def _state(slack: SlackHarness) -> Any:
    """What is stored about the private incident."""
    with slack.deps.db.unit_of_work() as session:
        inc = session.scalars(select(Incident).where(Incident.number == 1)).one()
        entries = session.execute(
            select(TimelineEntry.id, TimelineEntry.text, TimelineEntry.at, TimelineEntry.removed)
            .where(TimelineEntry.incident_id == inc.id)
            .order_by(TimelineEntry.id)
        ).all()
        items = session.execute(
            select(ActionItem.id, ActionItem.status, ActionItem.owner, ActionItem.due)
            .where(ActionItem.incident_id == inc.id)
            .order_by(ActionItem.id)
        ).all()
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (TimelineRevision, Postmortem)
        ]
        return (
            (inc.severity, inc.status, inc.commander, sorted(inc.members), inc.resolved_at),
            [tuple(r) for r in entries],
            [tuple(r) for r in items],
            counts,
        )


def _modal(slack: SlackHarness, open_it: Callable[[], Any], callback_id: str) -> None:
    """Open a modal legitimately (in the forger's own incident) and wait for it."""
    open_it()
    slack.fake.wait_for(
        lambda f: any(
            c.args["view"]["callback_id"] == callback_id for c in f.calls_to("views.open")
        )
    )


def _submit(slack: SlackHarness, callback_id: str, values: dict, metadata: dict) -> None:
    slack.forget_replies()
    answer = slack.driver.view_submission(
        callback_id, values, user="U3", private_metadata=json.dumps(metadata)
    )
    assert answer.status == 200


def decision_modal(slack: SlackHarness, w: World) -> None:
    _modal(slack, lambda: slack.command("decision", user="U3", channel=w.own), ids.DECISION_MODAL)
    _submit(
        slack,
        ids.DECISION_MODAL,
        {ids.DECISION_INPUT: "Wipe the audit log"},
        {"channel": w.private},
    )


def action_item_modal(slack: SlackHarness, w: World) -> None:
    _modal(
        slack,
        lambda: _card(slack, w.own, w.own_card_ts, ids.CARD_ACTION_ITEM),
        ids.ACTION_ITEM_MODAL,
    )
    _submit(
        slack,
        ids.ACTION_ITEM_MODAL,
        {ids.TEXT_INPUT: "Disable the vault alarm"},
        {"channel": w.private},
    )


def commander_modal(slack: SlackHarness, w: World) -> None:
    _modal(
        slack, lambda: _card(slack, w.own, w.own_card_ts, ids.CARD_COMMANDER), ids.COMMANDER_MODAL
    )
    _submit(slack, ids.COMMANDER_MODAL, {ids.USER_INPUT: "U3"}, {"channel": w.private})


def timeline_edit_modal(slack: SlackHarness, w: World) -> None:
    _modal(slack, lambda: _menu(slack, w.own, f"edit:{w.own_entry}:1"), ids.TIMELINE_EDIT_MODAL)
    values = {ids.TIME_INPUT: "2020-01-01T00:00+00:00", ids.TEXT_INPUT: "nothing happened"}
    _submit(slack, ids.TIMELINE_EDIT_MODAL, values, {"entry": w.entry, "page": 1})


def _card(slack: SlackHarness, channel: str, ts: str, action_id: str, **extra: Any) -> None:
    slack.driver.block_action(action_id, None, "U3", channel=channel, message_ts=ts, **extra)


def _menu(slack: SlackHarness, channel: str, value: str) -> None:
    entry = value.split(":")[1]
    slack.driver.block_action(
        ids.TIMELINE_ENTRY_MENU,
        user="U3",
        channel=channel,
        block_id=f"entry-{entry}",
        selected_option=value,
    )


def card(action_id: str, **extra: Any) -> Callable[[SlackHarness, World], None]:
    def forge(slack: SlackHarness, w: World) -> None:
        slack.forget_replies()
        _card(slack, w.private, w.card_ts, action_id, **extra)

    return forge


def in_own_channel(do: Callable[[SlackHarness, World], None]) -> Callable[..., None]:
    def forge(slack: SlackHarness, w: World) -> None:
        slack.forget_replies()
        do(slack, w)

    return forge


def item_button(action_id: str, **extra: Any) -> Callable[[SlackHarness, World], None]:
    return in_own_channel(
        lambda slack, w: slack.driver.block_action(
            action_id,
            user="U3",
            channel=w.own,
            block_id=f"{ids.ACTION_ITEM_BLOCK}:{w.item}",
            value=str(w.item) if not extra else None,
            **extra,
        )
    )


def typed(text: str) -> Callable[[SlackHarness, World], None]:
    def forge(slack: SlackHarness, w: World) -> None:
        slack.forget_replies()
        slack.command(text, user="U3", channel=w.private)

    return forge


SEV1 = {"text": {"type": "plain_text", "text": "sev1"}, "value": "sev1"}
MONITORING = {"text": {"type": "plain_text", "text": "monitoring"}, "value": "monitoring"}
TOMORROW = (date.today() + timedelta(days=1)).isoformat()

FORGERIES: dict[str, tuple[Callable[[SlackHarness, World], None], str]] = {
    "decision modal, metadata naming the private channel": (decision_modal, CHANGE),
    "action-item modal, metadata naming the private channel": (action_item_modal, CHANGE),
    "commander modal, metadata naming the private channel": (commander_modal, CHANGE),
    "timeline edit modal, metadata naming a private entry": (timeline_edit_modal, CHANGE),
    "card severity select": (card(ids.CARD_SEVERITY, selected_option=SEV1), CHANGE),
    "card status select": (card(ids.CARD_STATUS, selected_option=MONITORING), CHANGE),
    "card Resolve button": (card(ids.CARD_RESOLVE), CHANGE),
    "card Hand over commander button": (card(ids.CARD_COMMANDER), CHANGE),
    "card Add action item button": (card(ids.CARD_ACTION_ITEM), CHANGE),
    "timeline page button naming the private incident": (
        in_own_channel(
            lambda slack, w: slack.driver.block_action(
                f"{ids.TIMELINE_PAGE}_1", value="1:1", user="U3", channel=w.own
            )
        ),
        NO_INCIDENT,
    ),
    "timeline entry menu: remove a private entry": (
        in_own_channel(lambda slack, w: _menu(slack, w.own, f"remove:{w.entry}:1")),
        CHANGE,
    ),
    "timeline entry menu: edit a private entry": (
        in_own_channel(lambda slack, w: _menu(slack, w.own, f"edit:{w.entry}:1")),
        CHANGE,
    ),
    "action item Done": (item_button(ids.ACTION_DONE), NO_ITEM),
    "action item Snooze a week": (item_button(ids.ACTION_SNOOZE), NO_ITEM),
    "action item Reassign": (
        item_button(ids.ACTION_REASSIGN, picked={"selected_user": "U3"}),
        NO_ITEM,
    ),
    "action item Re-date": (
        item_button(ids.ACTION_REDATE, picked={"selected_date": TOMORROW}),
        NO_ITEM,
    ),
    "message shortcut on a message in the private channel": (
        in_own_channel(
            lambda slack, w: slack.driver.message_shortcut(
                ids.ADD_TO_TIMELINE_SHORTCUT, w.private, w.message_ts, user="U3"
            )
        ),
        NO_CAPTURE,
    ),
    "/incident note in the private channel": (typed("note sneaky"), CHANGE),
    "/incident role commander in the private channel": (typed("role commander <@U3>"), CHANGE),
    "/incident postmortem in the private channel": (typed("postmortem"), CHANGE),
    "/incident done on the private item": (typed("done AI-1"), NO_ITEM),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_payload_is_refused_with_one_line(slack: SlackHarness, forgery: str) -> None:
    forge, refusal = FORGERIES[forgery]
    world = _world(slack)
    before = _state(slack)
    forge(slack, world)
    slack.fake.wait_for(lambda f: lines_to(f, "U3"), what="the refusal")
    settle()
    assert lines_to(slack.fake, "U3") == [refusal]
    assert _state(slack) == before, "nothing stored"
    effects = [
        f"{c.method} {c.args.get('text', '')}"
        for c in slack.fake.calls
        if c.ok
        and c.method in CHANNEL_EFFECTS
        and world.private in (c.args.get("channel"), c.args.get("channel_id"))
    ]
    assert effects == [], "nothing posted in the incident channel"
    assert not slack.fake.calls_to("views.open"), "no modal opened for the forger"
    name = slack.fake.channels[world.private].name
    assert leaks(json.dumps(slack.fake.responses) + str(slack.fake.calls), [SECRET, name]) == []
