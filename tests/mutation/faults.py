"""The planted faults of `make mutation`: one-line changes a real bug could make.

Each names the file, its exact original text (which must occur there once), the replacement,
and the tests expected to fail with it (files or test ids: only these run). When a merge moves
or rewrites a line, the runner reports the fault as STALE: copy the current line into
`original`, make the same mistake in `replacement`, and check it with `--only NAME`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    path: str
    original: str
    replacement: str
    tests: tuple[str, ...]

    @property
    def area(self) -> str:
        """The package the fault is in: bot/incidents/x.py -> incidents, bot/x.py -> x."""
        parts = self.path.removesuffix(".py").removesuffix(".md.j2").split("/")
        if parts[0] == "bot":
            return parts[1]
        return {"postmortem_templates": "drafting"}.get(parts[0], parts[0])


E2E = "tests/e2e"
WORKFLOWS = "tests/workflows"
PRIVACY = f"{E2E}/test_privacy.py"
PAGE_PRIVACY = f"{PRIVACY}::test_a_private_timeline_page_is_shown_only_to_its_members"
CAPTURE = f"{E2E}/test_capture.py"
CARD = f"{E2E}/test_lifecycle.py::test_severity_and_status_changes_redraw_the_card_and_topic"
RULES = "tests/incidents/test_rules.py"
DUE_DATES = "tests/followups/test_due_dates.py"
ITEMS = "tests/followups/test_items.py"
STATS_QUERY = "tests/stats/test_query.py"
SQL_STATS = f"{STATS_QUERY}::test_sql_statistics_match_specs_durations_worked_out_by_hand"
UPDATES = f"{E2E}/test_updates.py"
PRIVATE_UPDATE = "test_private_incident_announcement_never_changes_and_non_members_are_not_told"
RESOLVING = f"{E2E}/test_resolving.py"
CADENCE = "tests/scheduling/test_update_cadence.py"
METRICS = "tests/stats/test_metrics.py"
RENDER = "tests/drafting/test_render.py"
HEADER = f"{RENDER}::test_header_and_durations_show_each_duration_under_its_own_name"
PIPES = f"{RENDER}::test_action_item_text_with_pipes_stays_in_its_cell"
GITHUB = "tests/drafting/test_redaction_corpus.py"
EXPORT = "tests/test_export.py"
JSON_EXPORT = f"{EXPORT}::test_json_export_has_specs_fields_and_values"
CLAIMS = "tests/scheduling/test_claims.py"
SCHEDULING = "tests/scheduling/test_scheduling.py"
CONFIG = "tests/test_config.py"
MIGRATION = "tests/test_migration_0003.py"
STATUS_PAGE = f"{E2E}/test_status_page.py"
STATUS_FLOW = (
    f"{STATUS_PAGE}::test_first_public_update_confirms_then_later_ones_post_and_resolution_closes"
)
STATUS_CACHE = f"{STATUS_PAGE}::test_cache_headers_etag_and_conditional_get"
STATUS_FEEDS = f"{E2E}/test_status_feeds.py"
STATUS_LEAKS = f"{E2E}/test_status_leaks.py"

FAULTS: list[Fault] = [
    # --- bot/incidents -------------------------------------------------------------------------
    Fault(
        "a private timeline page shown without asking Slack",
        "bot/timeline/pages.py",
        "if incident.private and not Membership(deps).is_member(incident, viewer):",
        "if False:",
        (PAGE_PRIVACY,),
    ),
    Fault(
        "private resolution announcement shows the title",
        "bot/incidents/messages.py",
        'text = f":lock: Private incident {incident.number} was resolved."',
        'text = f":lock: Private incident {incident.number} was resolved: {incident.title}."',
        (f"{PRIVACY}::test_a_private_incident_is_resolved_without_details_in_the_announcement",),
    ),
    Fault(
        "severity change no longer redraws card and topic",
        "bot/incidents/publishing.py",
        'CARD_KINDS = ("severity", "status", "role", "milestone")',
        'CARD_KINDS = ("status", "role", "milestone")',
        (CARD,),
    ),
    Fault(
        "durations measured from declared even when started is set",
        "bot/incidents/rules.py",
        '"started": times.started or times.declared,',
        '"started": times.declared,',
        (SQL_STATS, JSON_EXPORT),
    ),
    Fault(
        "channel name forgets the hyphen in its length budget",
        "bot/incidents/rules.py",
        "room = CHANNEL_NAME_MAX - len(head) - len(suffix) - 1",
        "room = CHANNEL_NAME_MAX - len(head) - len(suffix)",
        (f"{RULES}::test_channel_name_follows_slack_rules",),
    ),
    Fault(
        "milestone order skips the next milestone",
        "bot/incidents/rules.py",
        "for later in MILESTONES[index + 1 :]:",
        "for later in MILESTONES[index + 2 :]:",
        (f"{RULES}::test_milestone_order",),
    ),
    # --- bot/timeline --------------------------------------------------------------------------
    Fault(
        "timeline page asks about the wrong person",
        "bot/timeline/pages.py",
        "Membership(deps).is_member(incident, viewer)",
        "Membership(deps).is_member(incident, incident.declared_by)",
        (PAGE_PRIVACY,),
    ),
    Fault(
        "skin-tone variant of the timeline reaction ignored",
        "bot/timeline/capture_service.py",
        'if reaction.split("::")[0] != wanted:',
        "if reaction != wanted:",
        (f"{CAPTURE}::test_pins_are_ignored_when_switched_off",),
    ),
    Fault(
        "a non-member's reaction keeps a message",
        "bot/timeline/capture_service.py",
        "if not self.service.members.is_member(incident, user):",
        'if source == "shortcut" and not self.service.members.is_member(incident, user):',
        (f"{E2E}/test_capture_bad_input.py::test_non_member_cannot_add_to_the_timeline",),
    ),
    Fault(
        "a reaction keeps another bot's alert",
        "bot/timeline/capture_service.py",
        "return kept.from_bot or own",
        "return own",
        (f"{CAPTURE}::test_person_pinning_a_bot_alert_keeps_it_but_a_reaction_does_not",),
    ),
    Fault(
        "kept message stamped with the capture time, not its own",
        "bot/timeline/capture.py",
        "return datetime.fromtimestamp(float(self.ts), UTC)",
        "return datetime.now(UTC)",
        (f"{CAPTURE}::test_reaction_keeps_message_with_original_time_author_permalink_files",),
    ),
    Fault(
        "message deleted in Slack drops off the timeline",
        "bot/timeline/capture.py",
        "entry.deleted, entry.edited_at = True, now",
        "entry.removed, entry.edited_at = True, now",
        (f"{CAPTURE}::test_edit_follows_and_revision_keeps_original_then_delete_strikes",),
    ),
    Fault(
        "milestone entries editable from the timeline",
        "bot/timeline/edit.py",
        "return entry.kind not in FIXED_KINDS and not entry.removed",
        "return not entry.removed",
        (f"{E2E}/test_timeline_edit.py::test_non_member_and_milestones_are_refused",),
    ),
    # --- bot/followups -------------------------------------------------------------------------
    Fault(
        "item due today listed as overdue",
        "bot/followups/messages.py",
        "if days < 0:",
        "if days <= 0:",
        (DUE_DATES,),
    ),
    Fault(
        "private incident's action item closable by anyone",
        "bot/followups/items.py",
        "return item.incident is None or item.owner == viewer or can_see(item.incident, viewer)",
        "return True",
        (f"{ITEMS}::test_private_items_are_invisible_to_non_members",),
    ),
    Fault(
        "snooze counts from today even when the due date is later",
        "bot/followups/items.py",
        "base = max(item.due or local_today(now, zone), local_today(now, zone))",
        "base = local_today(now, zone)",
        (f"{ITEMS}::test_snooze_reassign_redate",),
    ),
    # --- bot/stats -----------------------------------------------------------------------------
    Fault(
        "/metrics counts items due today as overdue",
        "bot/stats/metrics.py",
        "func.count().filter(is_open, ActionItem.due < today.column()),",
        "func.count().filter(is_open, ActionItem.due <= today.column()),",
        (f"{METRICS}::test_database_metrics",),
    ),
    Fault(
        "histogram buckets exclude their upper bound",
        "bot/stats/metrics.py",
        'cumulative = np.searchsorted(seconds, DURATION_BUCKETS, side="right")',
        'cumulative = np.searchsorted(seconds, DURATION_BUCKETS, side="left")',
        (f"{METRICS}::test_database_metrics",),
    ),
    Fault(
        "percentiles take the lower rank instead of interpolating",
        "bot/stats/rules.py",
        "hi = min(lo + 1, len(ordered) - 1)",
        "hi = lo",
        (SQL_STATS,),
    ),
    Fault(
        "windows compared when only one has enough incidents",
        "bot/stats/rules.py",
        "return min(self.incidents_now, self.incidents_before) >= MIN_SAMPLE",
        "return max(self.incidents_now, self.incidents_before) >= MIN_SAMPLE",
        (f"{STATS_QUERY}::test_comparison_with_previous_window",),
    ),
    # --- bot/drafting and postmortem_templates -------------------------------------------------
    Fault(
        "postmortem header shows time to mitigate as time to resolve",
        "postmortem_templates/default.md.j2",
        "| Time to resolve | {{ duration_text.time_to_resolve }} |",
        "| Time to resolve | {{ duration_text.time_to_mitigate }} |",
        (HEADER,),
    ),
    Fault(
        "action-item text not escaped in the Markdown table (template)",
        "postmortem_templates/_macros.md.j2",
        "| AI-{{ a.id }} | {{ a.text|cell }} |",
        "| AI-{{ a.id }} | {{ a.text|oneline }} |",
        (PIPES,),
    ),
    Fault(
        "action-item text not escaped in the Markdown table (filter)",
        "bot/drafting/render.py",
        'return _oneline(text).replace("|", "\\\\|")',
        "return _oneline(text)",
        (PIPES,),
    ),
    Fault(
        "GitHub server-to-server and refresh tokens not matched",
        "bot/drafting/redact.py",
        'r"gh[pousr]_[A-Za-z0-9]{30,}"',
        'r"gh[pou]_[A-Za-z0-9]{30,}"',
        (GITHUB,),
    ),
    Fault(
        "fine-grained GitHub token matched only up to its underscore",
        "bot/drafting/redact.py",
        'r"github_pat_[A-Za-z0-9_]{20,}"',
        'r"github_pat_[A-Za-z0-9]{20,}"',
        (GITHUB,),
    ),
    Fault(
        "e-mail addresses redacted without being asked",
        "bot/drafting/redact.py",
        '[EMAIL_RULE] if "emails" in kinds',
        '[EMAIL_RULE] if "secrets" in kinds',
        (f"{RENDER}::test_emails_and_ips_only_when_asked",),
    ),
    Fault(
        "model claims citing nothing real shown as fact",
        "bot/drafting/draft.py",
        "claims.append(Claim(text, real, supported=bool(real), note=note))",
        "claims.append(Claim(text, real, supported=True, note=note))",
        ("tests/drafting/test_ai.py::test_fabricated_citations_are_never_shown_as_fact",),
    ),
    # --- bot/overview --------------------------------------------------------------------------
    Fault(
        "digest lists items due today under Overdue",
        "bot/overview/digest.py",
        "return item.due is not None and item.due < (item.today or self.today)",
        "return item.due is not None and item.due <= (item.today or self.today)",
        (DUE_DATES,),
    ),
    Fault(
        "digest counts items due today as overdue",
        "bot/overview/digest.py",
        "is_overdue = ActionItem.due < today",
        "is_overdue = ActionItem.due <= today",
        (DUE_DATES,),
    ),
    Fault(
        "digest takes today's date in UTC, not in INCIDENT_TIMEZONE",
        "bot/overview/digest.py",
        "today=now.astimezone(zone).date(),",
        "today=now.date(),",
        (DUE_DATES,),
    ),
    Fault(
        "App Home lists everyone's action items",
        "bot/overview/home.py",
        '.where(ActionItem.owner == viewer, ActionItem.status == "open")',
        '.where(ActionItem.status == "open")',
        (f"{E2E}/test_home.py::test_home_shows_open_incidents_roles_and_my_action_items",),
    ),
    # --- bot/outbox ----------------------------------------------------------------------------
    Fault(
        "PostgreSQL claim without SKIP LOCKED",
        "bot/outbox/store.py",
        "picked = picked.with_for_update(skip_locked=True)",
        "picked = picked.with_for_update()",
        (CLAIMS,),
    ),
    Fault(
        "claim of a dead sender never retried (no stale-claim condition)",
        "bot/outbox/store.py",
        "or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < stale),",
        "Outbox.claimed_at.is_(None),",
        (CLAIMS,),
    ),
    Fault(
        "a fresh claim taken over by another sender",
        "bot/outbox/store.py",
        "or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < stale),",
        "or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < now),",
        (CLAIMS,),
    ),
    Fault(
        "permanent Slack errors retried instead of reported",
        "bot/outbox/delivery.py",
        "give_up = code in PERMANENT or attempts >= kind.patience",
        "give_up = attempts >= kind.patience",
        ("tests/incidents/test_announcements.py::test_permanent_failure_is_reported_not_retried",),
    ),
    # --- bot/scheduling ------------------------------------------------------------------------
    Fault(
        "items overdue from the morning of their due date",
        "bot/scheduling/cadence.py",
        "overdue_from = local_moment(due + timedelta(days=1), DUE_TIME, zone)",
        "overdue_from = local_moment(due, DUE_TIME, zone)",
        (f"{SCHEDULING}::test_reminder_cadence",),
    ),
    Fault(
        "before-due reminder for an item created after its moment",
        "bot/scheduling/cadence.py",
        "if now >= before_at and created_at <= before_at:",
        "if now >= before_at:",
        (f"{SCHEDULING}::test_reminder_cadence",),
    ),
    Fault(
        "unowned items no longer remind the commander",
        "bot/scheduling/planner.py",
        "recipient = owner or commander",
        "recipient = owner",
        (f"{SCHEDULING}::test_closed_or_reassigned_items_get_no_stale_reminder",),
    ),
    # --- bot/slack -----------------------------------------------------------------------------
    Fault(
        "shortcut callback id differs from the manifest's",
        "bot/slack/ids.py",
        'ADD_TO_TIMELINE_SHORTCUT = "add_to_timeline"',
        'ADD_TO_TIMELINE_SHORTCUT = "add_to_incident_timeline"',
        (f"{CAPTURE}::test_shortcut_keeps_and_answers_once",),
    ),
    Fault(
        "clipped text overflows Slack's section limit",
        "bot/slack/blocks.py",
        'text[: limit - 12].rstrip() + " …(cut)"',
        'text[:limit].rstrip() + " …(cut)"',
        ("tests/slack/test_blocks.py",),
    ),
    Fault(
        "Slack API errors counted under the wrong error code",
        "bot/slack/calls.py",
        "SLACK_API_ERRORS.labels(method=method, error=code).inc()",
        'SLACK_API_ERRORS.labels(method=method, error="error").inc()',
        (f"{METRICS}::test_process_instruments_count_what_the_app_did",),
    ),
    # --- bot/parsing ---------------------------------------------------------------------------
    Fault(
        "HH:MM takes today's UTC date instead of the local date",
        "bot/parsing.py",
        "local_today = now.astimezone(zone).date()",
        "local_today = now.date()",
        (f"{RULES}::test_hh_mm_is_on_todays_date_where_the_person_is",),
    ),
    Fault(
        "a due date of today refused",
        "bot/parsing.py",
        "if due < today:",
        "if due <= today:",
        (f"{RULES}::test_parse_due_and_user", DUE_DATES),
    ),
    Fault(
        "times up to an hour ahead accepted",
        "bot/parsing.py",
        "FUTURE_GRACE = timedelta(minutes=1)",
        "FUTURE_GRACE = timedelta(hours=1)",
        (f"{RULES}::test_parse_time_rejects_future_and_ambiguous",),
    ),
    # --- bot/config ----------------------------------------------------------------------------
    Fault(
        "a week read as seven hours",
        "bot/config.py",
        '"d": 86400, "w": 604800}',
        '"d": 86400, "w": 7 * 3600}',
        (CONFIG,),
    ),
    Fault(
        "SLACK_API_URL without its trailing slash",
        "bot/config.py",
        'return value if value.endswith("/") else value + "/"',
        "return value",
        (CONFIG,),
    ),
    Fault(
        "digest channel does not fall back to the announce channel",
        "bot/config.py",
        "return self.INCIDENT_DIGEST_CHANNEL or self.INCIDENT_ANNOUNCE_CHANNEL",
        "return self.INCIDENT_DIGEST_CHANNEL",
        (CONFIG,),
    ),
    Fault(
        "INCIDENT_REDACT accepted without secrets",
        "bot/config.py",
        'if unknown or "secrets" not in parts:',
        "if unknown:",
        (CONFIG,),
    ),
    # --- bot/export ----------------------------------------------------------------------------
    Fault(
        "export JSON field channel_name renamed",
        "bot/export.py",
        '"channel_name": incident.channel_name,',
        '"channel": incident.channel_name,',
        (JSON_EXPORT,),
    ),
    Fault(
        "export JSON action-item field due renamed",
        "bot/export.py",
        '"due": a.due.isoformat() if a.due else None,',
        '"due_date": a.due.isoformat() if a.due else None,',
        (JSON_EXPORT,),
    ),
    Fault(
        "CSV formula escaping covers only = and @",
        "bot/export.py",
        'value[:1] in ("=", "+", "-", "@", "\\t", "\\r")',
        'value[:1] in ("=", "@")',
        (f"{EXPORT}::test_csv_cells_never_run_as_formulas",),
    ),
    Fault(
        "--until leaves out its own day",
        "bot/export.py",
        "_day_start(until, next_day=True)",
        "_day_start(until)",
        (f"{EXPORT}::test_since_and_until_select_by_declared_day_inclusive",),
    ),
    # --- handlers ------------------------------------------------------------------------------
    Fault(
        "action takes only one of owner and due date",
        "handlers/commands/grammar.py",
        "        if owner is None and (match := _OWNER.search(text)):",
        "        if False and (match := _OWNER.search(text)):",
        (f"{ITEMS}::test_action_records_item_timeline_entry_and_posts_it",),
    ),
    Fault(
        "action refuses `due today`",
        "bot/parsing.py",
        'if raw.lower() == "today":',
        'if raw.lower() == "today!":',
        (DUE_DATES,),
    ),
    Fault(
        "command durations recorded under the wrong subcommand",
        "handlers/commands/listener.py",
        "COMMAND_LATENCY.labels(subcommand=command.name)",
        'COMMAND_LATENCY.labels(subcommand="incident")',
        (f"{METRICS}::test_process_instruments_count_what_the_app_did",),
    ),
    # --- bot/comms, summary and impact ---------------------------------------------------------
    Fault(
        "a non-member subscribes to a private incident",
        "handlers/commands/subscriptions.py",
        "    if not visible:\n",
        "    if False:\n",
        (f"{E2E}/test_subscriptions.py", f"{E2E}/test_privacy_surfaces.py"),
    ),
    Fault(
        "a subscriber who left a private channel is still told",
        "bot/comms/subscriptions.py",
        'if incident.private and not Membership(deps).is_member(incident, p["user"]):',
        "if False:",
        (f"{E2E}/test_subscriptions.py", f"{UPDATES}::{PRIVATE_UPDATE}"),
    ),
    Fault(
        "subscribers told of resolution no more",
        "bot/comms/subscriptions.py",
        'if entry.kind == "milestone" and entry.text == incidents.milestone_text("resolved"):',
        "if False:",
        (f"{E2E}/test_subscriptions.py",),
    ),
    Fault(
        "the people the bot invited are caught up too",
        "bot/comms/catchup.py",
        "if incident is None or user in (incident.members or []):",
        "if incident is None:",
        (f"{E2E}/test_catchup.py",),
    ),
    Fault(
        "a private incident's summary in the digest",
        "bot/overview/digest_messages.py",
        "    if row.private:  # type: ignore[attr-defined]",
        "    if False:",
        ("tests/incidents/test_details.py",),
    ),
    Fault(
        "summary stored without neutralising broadcasts",
        "bot/incidents/details.py",
        "return check_text(text, DETAILS[field], SUMMARY_MAX)",
        "return text",
        (f"{E2E}/test_summary_impact.py",),
    ),
    # --- issue 13: stakeholder updates, escalations, update cadence, resolve --------------------
    Fault(
        "the announcement is posted again instead of edited in place",
        "bot/incidents/announcements.py",
        'deps.notifier.update(rows[0].channel or "", incident.announce_ts or "", text, body)',
        'deps.notifier.post(rows[0].channel or "", text, body)',
        (f"{UPDATES}::test_update_is_posted_threaded_and_edits_the_announcement",),
    ),
    Fault(
        "queued announcement edits of several incidents collapse into the last one",
        "bot/incidents/announcements.py",
        '    wanted = list(dict.fromkeys(r.payload["incident"] for r in rows))',
        '    wanted = [rows[-1].payload["incident"]]',
        ("tests/incidents/test_announcements.py",),
    ),
    Fault(
        "a reply under the announcement whose answer was lost is posted again",
        "bot/scheduling/senders.py",
        "one(partial(send_reply, deps)), thread=partial(reply_thread, deps), **PROMPT",
        "one(partial(send_reply, deps)), **PROMPT",
        ("tests/incidents/test_announcements.py",),
    ),
    Fault(
        "with thread echoes the resolution goes under the card",
        "bot/incidents/publishing.py",
        '    routine = echo == "thread" and entry.kind in ROUTINE_KINDS and not closing',
        '    routine = echo == "thread" and entry.kind in ROUTINE_KINDS',
        (
            f"{RESOLVING}::test_with_thread_echoes_the_resolution_is_still_one_message_in_the_channel",
        ),
    ),
    Fault(
        "replies under the announcement lose their thread",
        "bot/incidents/announcements.py",
        "thread_ts=incident.announce_ts, broadcast",
        "thread_ts=None, broadcast",
        (UPDATES,),
    ),
    Fault(
        "every severity change is broadcast to the announce channel",
        "bot/incidents/publishing.py",
        'loud=new == "sev1"',
        "loud=True",
        (f"{UPDATES}::test_escalation_to_sev1_is_broadcast_and_a_lowering_is_not",),
    ),
    Fault(
        "update text stored unchecked",
        "bot/comms/updates.py",
        'return check_text(text, "update", UPDATE_MAX)',
        "return text",
        (f"{UPDATES}::test_bad_updates_get_one_line_and_store_nothing",),
    ),
    Fault(
        "the update modal's status change is a second message",
        "bot/comms/updates.py",
        '        change_state(session, incident, now=now, user=user, field="status", value=status)',
        "        publishing.record(session, incident, change_state(session, incident, now=now,"
        ' user=user, field="status", value=status), now)',
        (f"{UPDATES}::test_update_modal_changes_status_summary_and_promises_the_next",),
    ),
    Fault(
        "update reminder planned again at every sweep",
        "bot/scheduling/planner.py",
        "key = f\"update-due:{inc.id}:{inc.last or 'none'}:{recipient}\"",
        'key = f"update-due:{inc.id}:{now.isoformat()}"',
        (CADENCE,),
    ),
    Fault(
        "update reminder sent though an update came after it was planned",
        "bot/comms/updates.py",
        '            raise Moot("an update was posted")',
        "            pass",
        (CADENCE,),
    ),
    Fault(
        "a bare `resolved` resolves without asking what fixed it",
        "handlers/commands/updates.py",
        "if raw_at is None and not summary and inv.trigger_id is not None:",
        "if False:",
        (f"{RESOLVING}::test_bare_resolved_and_status_resolved_open_the_same_modal",),
    ),
    Fault(
        "the resolution summary left out of the postmortem",
        "bot/drafting/narrative.py",
        "    if summary:  # what the person who resolved it said fixed it, asked at resolve",
        "    if False:",
        (f"{RESOLVING}::test_resolve_button_asks_what_fixed_it_and_the_answer_goes_everywhere",),
    ),
    Fault(
        "mitigated leaves the status at investigating",
        "bot/incidents/lifecycle.py",
        '        incident.status = "monitoring"  # the topic and card never disagree with'
        " milestones",
        "        pass",
        (f"{RESOLVING}::test_mitigated_moves_investigating_to_monitoring_on_card_and_topic",),
    ),
    # --- migrations ----------------------------------------------------------------------------
    Fault(
        "0003 backfill measures from declared when started is set",
        "migrations/versions/0003_stored_durations.py",
        '"started": times["started"] or times["declared"],',
        '"started": times["declared"],',
        (MIGRATION,),
    ),
    Fault(
        "0003 backfill measures acknowledge from started",
        "migrations/versions/0003_stored_durations.py",
        '"time_to_acknowledge": ("detected", "acknowledged"),',
        '"time_to_acknowledge": ("started", "acknowledged"),',
        (MIGRATION,),
    ),
    # --- bot/statuspage ------------------------------------------------------------------------
    Fault(
        "a private incident's public row on the status page",
        "bot/statuspage/snapshot.py",
        ".where(Incident.private.is_(False), *conditions)",
        ".where(*conditions)",
        (STATUS_LEAKS,),
    ),
    Fault(
        "a public incident without public updates on the status page",
        "bot/statuspage/snapshot.py",
        "        if updates[row.id]\n",
        "",
        (STATUS_LEAKS,),
    ),
    Fault(
        "a private incident published",
        "bot/statuspage/publishing.py",
        "    if incident.private:\n        raise",
        "    if False:\n        raise",
        (f"{STATUS_PAGE}::test_public_updates_refused_clearly",),
    ),
    Fault(
        "status page text not escaped",
        "bot/statuspage/render.py",
        "autoescape=True,",
        "autoescape=False,",
        (f"{STATUS_PAGE}::test_typed_markup_is_shown_as_text",),
    ),
    Fault(
        "first public update without its confirmation",
        "bot/statuspage/service.py",
        "        if first:\n",
        "        if False:\n",
        (STATUS_FLOW,),
    ),
    Fault(
        "no final public Resolved update",
        "bot/incidents/service.py",
        "                status_page.resolve(session, incident, now=self.now())",
        "                pass",
        (STATUS_FLOW,),
    ),
    Fault(
        "status page cache kept after a publish",
        "bot/statuspage/http.py",
        "key = (path, page, self.version(), components,",
        "key = (path, page, 0, components,",
        (STATUS_CACHE,),
    ),
    Fault(
        "no 304 for a matching If-None-Match",
        "bot/statuspage/http.py",
        "    if not header:\n        return False",
        "    if header or not header:\n        return False",
        (STATUS_CACHE,),
    ),
    Fault(
        "status page served while INCIDENT_STATUS_PAGE is off",
        "bot/web.py",
        "StatusPage(deps) if deps.settings.INCIDENT_STATUS_PAGE else not_found",
        "StatusPage(deps)",
        (f"{STATUS_PAGE}::test_off_unless_enabled",),
    ),
    Fault(
        "summary.json without incident_updates",
        "bot/statuspage/render.py",
        '"incident_updates": [',
        '"updates": [',
        (f"{STATUS_FEEDS}::test_summary_json_has_statuspage_shape",),
    ),
    Fault(
        "Atom entries share an id",
        "bot/statuspage/render.py",
        '_text(entry, "id", "urn:uuid:" + str(uuid.UUID(hex=update.id)))',
        '_text(entry, "id", "urn:incident:" + incident.id)',
        (f"{STATUS_FEEDS}::test_atom_feed_is_valid_with_one_entry_per_public_update",),
    ),
    Fault(
        "a public update naming a person",
        "bot/statuspage/rules.py",
        "    if match := _PERSON_OR_CHANNEL.search(text):",
        "    if match := _PERSON_OR_CHANNEL.search(''):",
        ("tests/statuspage/test_rules.py",),
    ),
    # --- guided response: types, fields, workflows ----------------------------------------------
    Fault(
        "a workflow runs twice for one occurrence (no unique key)",
        "bot/workflows/runner.py",
        '.on_conflict_do_nothing(index_elements=["incident_id", "workflow", "occurrence"])',
        "",
        (
            f"{WORKFLOWS}/test_exactly_once.py::test_the_same_occurrence_twice_runs_the_workflow_once",
        ),
    ),
    Fault(
        "a retried run redoes the steps already done",
        "bot/workflows/runner.py",
        "if str(index) not in state[name][1]",
        "if True",
        (f"{WORKFLOWS}/test_step_failures.py::test_a_transient_failure_retries_only_what_is_left",),
    ),
    Fault(
        "templates may reach private attributes",
        "bot/playbook/templates.py",
        'if isinstance(attr, str) and attr.startswith("_"):',
        "if False:",
        (f"{WORKFLOWS}/test_config_check.py",),
    ),
    Fault(
        "a field required at resolve does not block resolution",
        "bot/incidents/service.py",
        "guided.refuse_unready_resolution(incident, self.playbook)",
        "pass",
        (f"{WORKFLOWS}/test_types_and_fields.py",),
    ),
    Fault(
        "webhooks signed with the wrong key",
        "bot/workflows/delivery.py",
        "hmac.new(secret.encode(), body",
        "hmac.new(secret.encode()[:-1], body",
        (f"{WORKFLOWS}/test_workflow_steps.py::test_declared_workflow_runs_each_step_kind_once",),
    ),
    Fault(
        "a failing webhook reported on every attempt",
        "bot/workflows/delivery.py",
        'key = f"wfwebhook:{row.id}"',
        'key = f"wfwebhook:{row.id}:{row.attempts}"',
        (
            f"{WORKFLOWS}/test_step_failures.py::test_failing_steps_are_reported_once_and_the_others_run",
        ),
    ),
    Fault(
        "conditions checked against the incident now, not as the change left it",
        "bot/workflows/runner.py",
        'facts = payload.get("facts") or {',
        "facts = {",
        (f"{WORKFLOWS}/test_triggers.py::test_change_triggers_run_matching_workflows_once_each",),
    ),
]
