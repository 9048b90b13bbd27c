"""The statements of alert intake, built once per dialect: the sender's answer waits for
some of them, and building them per request cost more than running them."""

from __future__ import annotations

from sqlalchemy import Connection, Table, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import UTCDateTime
from bot.models import Alert, AlertGroup, AlertNotification

GROUPS: Table = AlertGroup.__table__  # type: ignore[assignment]
ALERTS: Table = Alert.__table__  # type: ignore[assignment]
NOTES: Table = AlertNotification.__table__  # type: ignore[assignment]


ALERT_FIELDS = ("name", "status", "labels", "annotations", "url", "starts_at", "ends_at")
ALERT_FIELDS += ("event_at", "updated_at")
GROUP_FIELDS = ("last_seen_at", "status", "firing_count", "started_at", "pager_ack_at")
GROUP_FIELDS += ("pager_ack_by", "title")
GROUP_FIELDS += ("labels", "links", "version", "needs_sync")


class _Statements:
    """Every statement of the hot path, built once per dialect (the answer to the sender
    waits for these; building them per request cost more than running them)."""

    def __init__(self, dialect: str) -> None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # The same SQL on both databases, as text: SQLAlchemy can't cache the compiled form of
        # an INSERT … ON CONFLICT, and this one runs while the sender waits.
        self.note = text(
            "INSERT INTO alert_notifications "
            "(dedupe_key, source, received_at, status, alert_count, changed, body) "
            "VALUES (:dedupe_key, :source, :received_at, :status, :alert_count, 0, :body) "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
        ).bindparams(bindparam("received_at", type_=UTCDateTime()))
        self.new_group = (
            insert(GROUPS)
            .on_conflict_do_nothing(index_elements=["source", "key_hash"])
            .returning(GROUPS.c.id)
        )
        self.groups = (
            select(GROUPS)
            .where(GROUPS.c.key_hash.in_(bindparam("b_keys", expanding=True)))
            .order_by(GROUPS.c.key_hash, GROUPS.c.source)
            .with_for_update()
        )
        self.known = select(
            ALERTS.c.id, ALERTS.c.group_id, ALERTS.c.fingerprint, ALERTS.c.status, ALERTS.c.event_at
        ).where(
            ALERTS.c.group_id.in_(bindparam("b_groups", expanding=True)),
            ALERTS.c.fingerprint.in_(bindparam("b_prints", expanding=True)),
        )
        self.add_alerts = ALERTS.insert()
        self.move_alert = (
            update(ALERTS)
            .where(ALERTS.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in ALERT_FIELDS})
        )
        self.touch_group = (
            update(GROUPS)
            .where(GROUPS.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in GROUP_FIELDS})
        )
        self.note_done = (
            update(NOTES)
            .where(NOTES.c.id == bindparam("b_id"))
            .values(
                group_id=bindparam("b_group"),
                changed=bindparam("b_changed"),
                processed_at=bindparam("b_at"),
                error=bindparam("b_error"),
                body=None,
            )
        )


_STATEMENTS: dict[str, _Statements] = {}


def statements(conn: Connection) -> _Statements:
    dialect = conn.dialect.name
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _Statements(dialect)
    return _STATEMENTS[dialect]
