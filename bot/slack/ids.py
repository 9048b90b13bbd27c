"""Every action_id, block_id and callback_id, named once."""

# Incident card buttons / selects
CARD_SEVERITY = "card_severity"
CARD_STATUS = "card_status"
CARD_RESOLVE = "card_resolve"
CARD_COMMANDER = "card_commander"
CARD_ACTION_ITEM = "card_action_item"

# Modals (callback ids) and their inputs (block ids / action ids)
DECLARE_MODAL = "declare_modal"
DECISION_MODAL = "decision_modal"
COMMANDER_MODAL = "commander_modal"
TIMELINE_EDIT_MODAL = "timeline_edit_modal"
ACTION_ITEM_MODAL = "action_item_modal"
UPDATE_MODAL = "update_modal"
RESOLVE_MODAL = "resolve_modal"

TITLE_INPUT = "title"
SEVERITY_INPUT = "severity"
PRIVATE_INPUT = "private"
SUMMARY_INPUT = "summary"
IMPACT_INPUT = "impact"
DECISION_INPUT = "decision"
RATIONALE_INPUT = "rationale"
ALTERNATIVES_INPUT = "alternatives"
DECIDED_BY_INPUT = "decided_by"
USER_INPUT = "user"
TEXT_INPUT = "text"
TIME_INPUT = "time"
OWNER_INPUT = "owner"
DUE_INPUT = "due"
PRIORITY_INPUT = "priority"
TYPE_INPUT = "type"
UPDATE_INPUT = "update_text"
STATUS_INPUT = "status"
NEXT_UPDATE_INPUT = "next_update"
RESOLUTION_INPUT = "resolution"
FOLLOWUPS_INPUT = "followups"

# Stakeholder updates: the Update button of the cadence reminder opens the update modal
UPDATE_OPEN = "update_open"
ANNOUNCE_SUBSCRIBE = "announce_subscribe"  # the announcement's Subscribe button
INCIDENT_TYPE_INPUT = "incident_type"
FIELD_INPUT = "field"  # block_id prefix: f"{FIELD_INPUT}:{custom field name}"

# Checklists (bot.workflows): one checkboxes element per checklist message
TASK_TICK = "task_tick"

# Timeline
TIMELINE_ENTRY_MENU = "timeline_entry_menu"
TIMELINE_PAGE = "timeline_page"
ADD_TO_TIMELINE_SHORTCUT = "add_to_timeline"

# Home tab
HOME_DECLARE = "home_declare"

# Action items / reminders
ACTION_DONE = "action_done"
ACTION_SNOOZE = "action_snooze"
ACTION_REASSIGN = "action_reassign"
ACTION_REDATE = "action_redate"
ACTION_ITEM_BLOCK = "action_item"  # block_id prefix: f"{ACTION_ITEM_BLOCK}:{item id}"

# Alert triage (bot.alerts): buttons on the triage message and their modals
ALERT_DECLARE = "alert_declare"
ALERT_ATTACH = "alert_attach"
ALERT_IGNORE = "alert_ignore"
ALERT_DECLARE_MODAL = "alert_declare_modal"
ALERT_ATTACH_MODAL = "alert_attach_modal"
INCIDENT_INPUT = "incident"

# Status page (bot.statuspage): the confirmation of an incident's first public update
PUBLIC_UPDATE_MODAL = "public_update_modal"
PUBLIC_TITLE_INPUT = "public_title"
PUBLIC_TEXT_INPUT = "public_text"
PUBLIC_INPUT = "also_public"  # the update modal's "Also publish on the status page" checkbox
COMPONENT_IMPACT_INPUT = "component_impact"  # block_id prefix: f"{...}:{component id}"
