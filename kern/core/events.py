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
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kern.core import context
from kern.core.audit import _jsonable
from kern.core.db import UnitOfWork, atomic, register_flusher

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


def emit(name: str, payload: Any = None, *, company: Any = None) -> Event:
    """Record `name` with `payload` (a dataclass or dict) in the current transaction."""
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        data = dataclasses.asdict(payload)
    else:
        data = dict(payload or {})
    data = _jsonable(data)
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
    if not unit.events:
        return
    from kern.core.models import OutboxEvent

    pending, unit.events = unit.events, []
    now = timezone.now()
    rows = []
    for item in pending:
        # Events nobody handles after commit are stored already processed: the log stays
        # complete without a second write per event.
        needs_dispatch = bool(_after_commit.get(item["name"]))
        rows.append(OutboxEvent(**item, created_at=now, processed_at=None if needs_dispatch else now))
    OutboxEvent.objects.bulk_create(rows)
    to_dispatch = [row for row in rows if row.processed_at is None]
    if to_dispatch:
        ids = [row.pk for row in to_dispatch]
        if all(ids):
            transaction.on_commit(lambda: dispatch_pending(ids=ids))
        else:  # backends without RETURNING ids: let the worker pick them up
            transaction.on_commit(dispatch_pending)


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
