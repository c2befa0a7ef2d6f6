"""Domain events through a transactional outbox.

`emit(name, payload)` stores the event with the transaction that caused it (buffered in the unit
of work and bulk-inserted at commit) and runs in-transaction handlers at once, so a lower app can
react to a higher one inside the same transaction without importing it. Handlers registered with
`after_commit=True` (e-mail, webhooks) run only once the transaction has committed; a failure is
kept on the outbox row and retried by `kern worker`.

Handlers are registered in `AppConfig.ready()`:

    events.subscribe("sales.invoice_posted", on_invoice_posted)
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from kern.core import audit, clock, context
from kern.core.audit import _jsonable
from kern.core.db import UnitOfWork, atomic, current_connection, register_flusher, statement_cursor
from kern.core.rows import inserted_ids

__all__ = ["Event", "dispatch_pending", "emit", "subscribe", "subscribers"]

log = logging.getLogger(__name__)

Handler = Callable[["Event"], Any]


@dataclasses.dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    company_id: int | None
    id: int | None = None


_in_transaction: dict[str, list[Handler]] = defaultdict(list)
_after_commit: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler, *, after_commit: bool = False) -> None:
    registry = _after_commit if after_commit else _in_transaction
    if handler not in registry[name]:
        registry[name].append(handler)


def subscribers(name: str) -> tuple[list[Handler], list[Handler]]:
    return list(_in_transaction.get(name, [])), list(_after_commit.get(name, []))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _payload_json(value: Any) -> Any:
    """A payload as JSON values in one walk: what `_jsonable(dataclasses.asdict(value))` gives,
    without asdict's deep copy of every value (a delivery's payload holds a dataclass per move)."""
    cls = type(value)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _kind_of(value)
        # isinstance also asks `__class__`, which a proxy answers for the value it wraps: the
        # answer holds for the type only where the two agree.
        if value.__class__ is cls:
            _KINDS[cls] = kind
    if kind == "value":
        return _jsonable(value)
    if kind == "dataclass":
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(value))
        return {name: _payload_json(getattr(value, name)) for name in names}
    if kind == "dict":
        return {str(k): _payload_json(v) for k, v in value.items()}
    return [_payload_json(v) for v in value]


def _kind_of(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "dataclass"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (list, tuple)):
        return "list"
    return "value"


# _kind_of by exact type: is_dataclass asks each value's type for an attribute most types lack,
# raising and catching an AttributeError per value (~0.5 % of an O2C order).
_KINDS: dict[type, str] = {}


def emit(name: str, payload: Any = None, *, company: Any = None) -> Event:
    """Record `name` with `payload` (a dataclass or dict) in the current transaction."""
    data = _payload_json(payload if payload is not None else {})
    if not isinstance(data, dict):
        data = _jsonable(dict(payload))
    company_id = getattr(company, "pk", company)
    if company_id is None:
        company_id = data.get("company_id") or context.current().company_id
    event = Event(name=name, payload=data, company_id=company_id)
    with atomic() as unit:
        unit.events.append({"name": name, "payload": data, "company_id": company_id})
        for handler in _in_transaction.get(name, ()):
            handler(event)
    return event


def _flush(unit: UnitOfWork) -> None:
    """Write what the unit of work buffered: audit rows (chained) and outbox rows.

    On PostgreSQL the audit rows, the new chain head and the outbox rows go in one statement
    (data-modifying CTEs) after the chain-head lock: two round trips for a business operation's
    bookkeeping whatever it touched. Elsewhere: bulk inserts.
    """
    rows, unit.audit_rows = unit.audit_rows, []
    pending, unit.events = unit.events, []
    if not (rows or pending):
        return
    now = clock.now()
    for item in pending:
        # Events nobody handles after commit are stored already processed: the log stays
        # complete without a second write per event.
        item["created_at"] = now
        item["processed_at"] = None if _after_commit.get(item["name"]) else now
    ids = _write(rows, pending)
    if ids:
        transaction.on_commit(lambda: dispatch_pending(ids=ids))


def _payload_text(payload: Any) -> str:
    """The stored JSON of a payload (already JSON values, `_payload_json`): orjson's, which is
    valid JSON for them and ten times faster than json's; json's for what orjson refuses (an
    integer beyond 64 bits)."""
    try:
        return orjson.dumps(payload).decode()
    except TypeError:
        return json.dumps(payload)


_AUDIT_COLUMNS = audit.STORED_FIELDS
_OUTBOX_COLUMNS = ("name", "company_id", "payload", "created_at", "processed_at")
_ROWS_PER_STATEMENT = 2000  # × 13 parameters: under SQLite's 32,766 and PostgreSQL's 65,535


def _statements(table: str, columns: tuple[str, ...], rows: list[list[Any]], constants: dict[str, str]):
    """Multi-row INSERTs (raw: the ORM's bulk_create costs more CPU than the rows' own work).

    `constants` are columns with the same SQL literal in every row.
    """
    pg = current_connection().vendor == "postgresql"
    cells = ["%s::jsonb" if pg and c in ("changes", "payload") else "%s" for c in columns]
    one = "(" + ", ".join([*cells, *constants.values()]) + ")"
    head = f"INSERT INTO {table} ({', '.join([*columns, *constants])}) VALUES "  # noqa: S608 -- constants
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start : start + _ROWS_PER_STATEMENT]
        yield head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row]


def _write(rows: list[dict[str, Any]], pending: list[dict[str, Any]]) -> list[int]:
    """Insert the audit rows, move the chain head, insert the outbox rows; returns the ids of the
    outbox rows that wait for after-commit handlers.

    On PostgreSQL all of it is one statement (data-modifying CTEs) after the chain-head lock, so
    a business operation's bookkeeping costs two round trips whatever it touched.
    """
    db = current_connection()
    adapt = db.ops.adapt_datetimefield_value
    last: list[Any] = [None, None]

    def dt_value(value: Any) -> Any:
        # The outbox rows of one flush share one timestamp: adapted once, not twice per row.
        if value is not last[0]:
            last[:] = [value, adapt(value)]
        return last[1]

    audit_sql: list[tuple[str, list[Any]]] = []
    head_params: list[Any] = []
    if rows:
        head, length = audit.chain_rows(rows)
        at = _AUDIT_COLUMNS.index("at")
        values = []
        for row in rows:
            value = [row["changes_json"] if c == "changes" else row[c] for c in _AUDIT_COLUMNS]
            value[at] = dt_value(value[at])
            values.append(value)
        audit_sql = list(_statements("core_auditevent", _AUDIT_COLUMNS, values, {"user_repr": "''"}))
        head_params = [head, length]
    outbox_sql: list[tuple[str, list[Any]]] = []
    if pending:
        values = [
            [
                item["name"],
                item["company_id"],
                _payload_text(item["payload"]),
                dt_value(item["created_at"]),
                dt_value(item["processed_at"]),
            ]
            for item in pending
        ]
        outbox_sql = list(
            _statements("core_outboxevent", _OUTBOX_COLUMNS, values, {"attempts": "0", "last_error": "''"})
        )
    returning = " RETURNING id, processed_at"
    with statement_cursor() as cursor:
        if db.vendor == "postgresql" and len(audit_sql) <= 1 and len(outbox_sql) <= 1:
            parts, params = [], []
            if audit_sql:
                parts += [f"a AS ({audit_sql[0][0]})", f"c AS ({audit.SET_HEAD})"]
                params += audit_sql[0][1] + head_params
            main = "SELECT NULL, NULL WHERE FALSE"
            if outbox_sql:
                parts.append(f"o AS ({outbox_sql[0][0]}{returning})")
                params += outbox_sql[0][1]
                main = "SELECT id, processed_at FROM o"
            cursor.execute("WITH " + ", ".join(parts) + " " + main, params)
            returned = cursor.fetchall()
        else:
            for sql, params in audit_sql:
                cursor.execute(sql, params)
            if head_params:
                cursor.execute(audit.SET_HEAD, head_params)
            returned = []
            if db.vendor == "sqlite":
                # The ids without RETURNING (its temporary b-tree costs more than the insert):
                # the rows of one INSERT get consecutive rowids, the last one reported.
                width = len(_OUTBOX_COLUMNS)
                ids: list[int] = []
                for sql, params in outbox_sql:
                    cursor.execute(sql, params)
                    ids.extend(inserted_ids(cursor, len(params) // width))
                returned = [(pk, item["processed_at"]) for pk, item in zip(ids, pending, strict=True)]
            else:
                for sql, params in outbox_sql:
                    cursor.execute(sql + returning, params)
                    returned += cursor.fetchall()
    return [pk for pk, processed_at in returned if processed_at is None]


register_flusher(_flush)


def dispatch_pending(ids: list[int] | None = None, *, limit: int = 500) -> int:
    """Run after-commit handlers for unprocessed outbox rows; returns how many succeeded."""
    from kern.core.models import OutboxEvent

    rows = OutboxEvent.objects.filter(processed_at__isnull=True).order_by("id")
    if ids is not None:
        rows = rows.filter(id__in=ids)
    done = 0
    for row in rows[:limit]:
        event = Event(name=row.name, payload=row.payload, company_id=row.company_id, id=row.pk)
        try:
            with context.acting(interface="worker", company=row.company_id):
                for handler in _after_commit.get(row.name, ()):
                    handler(event)
        except Exception as exc:  # keep the event for a retry; one bad handler must not stop the rest
            log.exception("after-commit handler for %s #%s failed", row.name, row.pk)
            OutboxEvent.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, last_error=repr(exc)[:2000]
            )
            continue
        OutboxEvent.objects.filter(pk=row.pk).update(processed_at=timezone.now(), attempts=row.attempts + 1)
        done += 1
    return done
