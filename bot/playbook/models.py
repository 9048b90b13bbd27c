"""The pydantic models of incident types, custom fields and workflows: what the bot loads and
what `incident-bot config check` validates against (its JSON Schema is generated from them)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from bot.playbook.templates import check_template

Severity = Literal["sev1", "sev2", "sev3", "sev4"]
Status = Literal["investigating", "identified", "monitoring", "resolved"]
FieldKind = Literal["text", "select", "multi_select", "user", "url"]
Trigger = Literal[
    "declared",
    "severity_changed",
    "status_changed",
    "field_changed",
    "type_changed",
    "resolved",
    "alert",
]
TRIGGERS: tuple[str, ...] = Trigger.__args__  # type: ignore[attr-defined]
NAME = r"^[a-z][a-z0-9_-]{0,39}$"
Name = Annotated[str, Field(pattern=NAME, description="lowercase, digits, - and _")]
UserId = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]+$", description="a Slack user ID")]
GroupId = Annotated[str, Field(pattern=r"^S[A-Z0-9]+$", description="a user group ID (S…)")]
ChannelId = Annotated[str, Field(pattern=r"^[CG][A-Z0-9]+$", description="a channel ID")]
Duration = Annotated[str, Field(pattern=r"^\d+\s*[smhdw]$", description="e.g. 30m, 2h, 1d")]
Due = Annotated[
    str,
    Field(
        pattern=r"^(\d+ (working )?days?|\d+ weeks?|tomorrow)$",
        description="e.g. `5 working days`, `3 days`, `2 weeks`, `tomorrow`",
    ),
]
Person = Annotated[
    str,
    Field(
        pattern=r"^(commander|scribe|comms|declarer|[UW][A-Z0-9]+)$",
        description="a role of the incident (commander, scribe, comms, declarer) or a user ID",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _template(value: str) -> str:
    problem = check_template(value)
    if problem:
        raise ValueError(problem)
    return value


class IncidentType(Strict):
    """An incident type: chosen at declare (or later); its workflows run for its incidents."""

    description: str = ""
    default_severity: Severity | None = None
    workflows: list[str] = Field(
        default_factory=list,
        description="workflows that run for incidents of this type (and only for them)",
    )


class CustomField(Strict):
    """A custom field: set in the modals or with `/incident set FIELD VALUE`."""

    label: str | None = None
    kind: FieldKind = "text"
    options: list[Annotated[str, Field(min_length=1, max_length=75)]] = Field(default_factory=list)
    required: Literal["declare", "resolve"] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _options_fit_kind(self) -> CustomField:
        if self.kind in ("select", "multi_select") and not self.options:
            raise ValueError(f"a {self.kind} field needs `options`")
        if self.kind not in ("select", "multi_select") and self.options:
            raise ValueError(f"`options` are only for select and multi_select, not {self.kind}")
        if len(set(self.options)) != len(self.options):
            raise ValueError("an option appears twice")
        return self


class Conditions(Strict):
    """All that are given must hold; a list means any of its values."""

    severity: list[Severity] | Severity | None = None
    type: list[str] | str | None = None
    status: list[Status] | Status | None = None
    fields: dict[str, list[str] | str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict, description="alert labels (alert trigger)")


class InviteArgs(Strict):
    users: list[Person] = Field(default_factory=list)
    groups: list[GroupId] = Field(default_factory=list, description="Slack user group IDs")


class AssignRoleArgs(Strict):
    role: Literal["commander", "scribe", "comms"]
    user: UserId


class PostArgs(Strict):
    text: Annotated[str, Field(min_length=1, max_length=3000)]
    channel: ChannelId | None = Field(None, description="default: the incident channel")

    _check = field_validator("text")(_template)


class BookmarkArgs(Strict):
    title: Annotated[str, Field(min_length=1, max_length=100)]
    url: Annotated[str, Field(min_length=1, max_length=500)]

    _check = field_validator("title", "url")(_template)


class ChecklistArgs(Strict):
    title: str = "Checklist"
    tasks: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1)


class RemindArgs(Strict):
    after: Duration
    text: Annotated[str, Field(min_length=1, max_length=1000)]
    to: Person | Literal["channel"] = "channel"

    _check = field_validator("text")(_template)


class ActionItemArgs(Strict):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    owner: Person | None = "commander"
    due: Due | None = None

    _check = field_validator("text")(_template)


class WebhookArgs(Strict):
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class InviteStep(Strict):
    invite: InviteArgs


class AssignRoleStep(Strict):
    assign_role: AssignRoleArgs


class PostStep(Strict):
    post: PostArgs


class BookmarkStep(Strict):
    bookmark: BookmarkArgs


class ChecklistStep(Strict):
    checklist: ChecklistArgs


class RemindStep(Strict):
    remind: RemindArgs


class ActionItemStep(Strict):
    action_item: ActionItemArgs


class WebhookStep(Strict):
    webhook: WebhookArgs


STEP_MODELS: dict[str, type[Strict]] = {
    "invite": InviteStep,
    "assign_role": AssignRoleStep,
    "post": PostStep,
    "bookmark": BookmarkStep,
    "checklist": ChecklistStep,
    "remind": RemindStep,
    "action_item": ActionItemStep,
    "webhook": WebhookStep,
}
STEP_KINDS = tuple(STEP_MODELS)


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = [k for k in value if k in STEP_MODELS]
        return keys[0] if len(keys) == 1 else None
    found = [k for k in STEP_MODELS if getattr(value, k, None) is not None]
    return found[0] if found else None


Step = Annotated[
    Annotated[InviteStep, Tag("invite")]
    | Annotated[AssignRoleStep, Tag("assign_role")]
    | Annotated[PostStep, Tag("post")]
    | Annotated[BookmarkStep, Tag("bookmark")]
    | Annotated[ChecklistStep, Tag("checklist")]
    | Annotated[RemindStep, Tag("remind")]
    | Annotated[ActionItemStep, Tag("action_item")]
    | Annotated[WebhookStep, Tag("webhook")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message=f"a step is one of: {', '.join(STEP_KINDS)}",
    ),
]


def step_kind(step: BaseModel) -> str:
    kind = _step_kind(step)
    assert kind is not None
    return kind


def step_args(step: BaseModel) -> Any:
    return getattr(step, step_kind(step))


class Workflow(Strict):
    """On a trigger, when the conditions hold, run the steps (independent ones at once)."""

    description: str = ""
    trigger: Trigger
    field: str | None = Field(None, description="field_changed: only when this field changes")
    when: Conditions = Field(default_factory=Conditions)
    steps: list[Step] = Field(min_length=1)


class Playbook(Strict):
    """The guided-response sections of INCIDENT_CONFIG (others are read by their features)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    incident_types: dict[Name, IncidentType] = Field(default_factory=dict)
    custom_fields: dict[Name, CustomField] = Field(default_factory=dict)
    workflows: dict[Annotated[str, Field(min_length=1, max_length=100)], Workflow] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _names_exist(self) -> Playbook:
        problems = []
        for name, kind in self.incident_types.items():
            problems += [
                f"incident_types.{name}.workflows: no workflow named `{w}`"
                for w in kind.workflows
                if w not in self.workflows
            ]
        for name, flow in self.workflows.items():
            types = flow.when.type
            for t in [types] if isinstance(types, str) else types or []:
                if t not in self.incident_types:
                    problems.append(f"workflows.{name}.when.type: no incident type `{t}`")
            for f in [*flow.when.fields, *([flow.field] if flow.field else [])]:
                if f not in self.custom_fields:
                    problems.append(f"workflows.{name}: no custom field `{f}`")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def typed_workflows(self, workflow: str) -> set[str]:
        """The types that name `workflow` (it runs only for them), empty when none does."""
        return {t for t, kind in self.incident_types.items() if workflow in kind.workflows}


def field_label(name: str, field: CustomField) -> str:
    return field.label or re.sub(r"[_-]", " ", name).capitalize()
