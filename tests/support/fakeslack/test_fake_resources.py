"""FakeSlack's stored things through WebClient: history, views, bookmarks, canvases, files."""

from __future__ import annotations

import time

from slack_sdk import WebClient

from tests.support.fakeslack import FakeSlack
from tests.support.fakeslack.test_fakeslack import error_of


def test_history_and_replies_windows(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1")
    stamps = [fake.add_message(cid, "U1", f"m{i}", ts=f"1700000000.00000{i}") for i in range(5)]
    reply = fake.add_message(cid, "U2", "in thread", thread_ts=stamps[1])
    newest = client.conversations_history(channel=cid, limit=2)
    assert [m["text"] for m in newest["messages"]] == ["m4", "m3"] and newest["has_more"]
    rest = client.conversations_history(
        channel=cid, cursor=newest["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1", "m0"]
    window = client.conversations_history(
        channel=cid, oldest=stamps[1], latest=stamps[3], inclusive=True
    )
    assert [m["text"] for m in window["messages"]] == ["m3", "m2", "m1"]
    exclusive = client.conversations_history(channel=cid, oldest=stamps[1], latest=stamps[3])
    assert [m["text"] for m in exclusive["messages"]] == ["m2"]
    thread = client.conversations_replies(channel=cid, ts=stamps[1])["messages"]
    assert [m["ts"] for m in thread] == [stamps[1], reply] and thread[0]["reply_count"] == 1
    fake.assert_no_violations()


def test_views_and_trigger_ids(fake: FakeSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "declare_modal",
        "title": {"type": "plain_text", "text": "Declare"},
        "blocks": [],
    }
    trigger = fake.new_trigger_id(user="U1")
    view = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "declare_modal"
    assert fake.view_owners[view["id"]] == "U1"
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal)) == (
        "exchanged_trigger_id"
    )
    assert error_of(lambda: client.views_open(trigger_id="made-up", view=modal)) == (
        "invalid_trigger_id"
    )
    fake.trigger_ttl, fake.delay = 0.3, 0.4  # a slow Slack does not age the trigger
    slow = fake.new_trigger_id(user="U1")
    assert client.views_open(trigger_id=slow, view=modal)["ok"]
    fake.delay = 0.0
    fake.trigger_ttl = 0.0
    late = fake.new_trigger_id()
    time.sleep(0.01)
    assert error_of(lambda: client.views_open(trigger_id=late, view=modal)) == "expired_trigger_id"
    stale = client.views_update(view_id=view["id"], view=modal)["view"]
    assert error_of(
        lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=modal)
    ) == ("hash_conflict")
    assert stale["id"] == view["id"]
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert fake.home_views["U1"]["id"] == published["id"]


def test_bookmarks_and_canvases(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1")
    mark = client.bookmarks_add(channel_id=cid, title="Card", type="link", link="https://x.test/1")
    bookmark_id = mark["bookmark"]["id"]
    assert bookmark_id.startswith("Bk")
    client.bookmarks_edit(channel_id=cid, bookmark_id=bookmark_id, title="Postmortem")
    assert [b["title"] for b in fake.channels[cid].bookmarks] == ["Postmortem"]
    # bookmarks.list needs bookmarks:read (the bot lists to check a bookmark whose answer was lost)
    listed = client.bookmarks_list(channel_id=cid)["bookmarks"]
    assert [b["title"] for b in listed] == ["Postmortem"]
    fake.violations.clear()
    client.bookmarks_remove(channel_id=cid, bookmark_id=bookmark_id)
    assert fake.channels[cid].bookmarks == []
    doc = {"type": "markdown", "markdown": "# PM"}
    canvas = client.canvases_create(title="PM", document_content=doc, channel_id=cid)["canvas_id"]
    change = {
        "operation": "insert_at_end",
        "document_content": {"type": "markdown", "markdown": "\nmore"},
    }
    client.canvases_edit(canvas_id=canvas, changes=[change])
    assert fake.canvases[canvas]["markdown"] == "# PM\nmore"
    assert client.files_info(file=canvas)["file"]["permalink"].endswith(canvas)
    client.canvases_delete(canvas_id=canvas)
    assert error_of(lambda: client.canvases_delete(canvas_id=canvas)) == "canvas_not_found"
    client.conversations_canvases_create(channel_id=cid, document_content=doc)
    again = lambda: client.conversations_canvases_create(channel_id=cid, document_content=doc)  # noqa: E731
    assert error_of(again) == ("channel_canvas_already_exists")
    fake.assert_no_violations()


def test_file_upload_flow(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1")
    uploaded = client.files_upload_v2(
        channel=cid,
        content="# Postmortem\n",
        filename="pm.md",
        title="Postmortem",
        initial_comment="Draft",
    )
    file_id = uploaded["file"]["id"]
    assert fake.files[file_id].content == b"# Postmortem\n"
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    (message,) = fake.messages(cid)
    assert message["text"] == "Draft" and message["files"][0]["id"] == file_id
    assert client.files_info(file=file_id)["file"]["title"] == "Postmortem"
    client.files_delete(file=file_id)
    assert error_of(lambda: client.files_delete(file=file_id)) == "file_deleted"
    fake.assert_no_violations()
