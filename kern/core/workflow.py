"""The state-table guard every document transition goes through.

Each document model has `status` (TextChoices) and `TRANSITIONS = {(FROM, TO), …}`. A service
per transition calls `transition(doc, to=…, by=…)`, which:

1. refuses a pair that is not in the table (`InvalidTransition`, an HTTP 409);
2. sets the status with one conditional UPDATE … WHERE status = <the status we saw>. The row lock
   that UPDATE takes is held to commit, and a stale instance (someone else moved the document
   first) updates nothing and is refused with the status it really has. This gives what a
   SELECT … FOR UPDATE re-read would, in one round trip instead of two;
3. writes the audit row and emits the event, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext

from kern.core import audit, context
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import InvalidTransition, NotFound
from kern.core.rows import RowsUpdate, update_columns

__all__ = ["allowed_transitions", "can_transition", "transition"]


def allowed_transitions(doc: Model) -> list[str]:
    return sorted(to for (frm, to) in type(doc).TRANSITIONS if frm == doc.status)


def can_transition(doc: Model, to: str) -> bool:
    return (doc.status, to) in type(doc).TRANSITIONS


def transition(
    doc: Model,
    *,
    to: str,
    by: Any = None,
    fields: dict[str, Any] | None = None,
    event: str | None = None,
    payload: Any = None,
    action: str = "transition",
    riding: Sequence[RowsUpdate | None] = (),
) -> Model:
    """`riding`: set-based updates of other tables sent with the status UPDATE (`RowsUpdate`)."""
    model = type(doc)
    current = doc.status
    if (current, to) not in model.TRANSITIONS:
        raise _refused(doc, current, to)
    updates = {"status": to, **(fields or {})}
    with atomic(), context.acting(by) if by is not None else nullcontext():
        changed = update_columns(model, doc.pk, updates, status=current, riding=riding)
        if changed == 0:
            fresh = model._base_manager.filter(pk=doc.pk).values_list("status", flat=True).first()
            if fresh is None:
                raise NotFound(gettext("%(document)s does not exist") % {"document": _label(doc)})
            raise _refused(doc, fresh, to)
        old = {}
        for name, value in updates.items():
            attname = model._meta.get_field(name).attname
            old[attname] = doc.__dict__.get(attname)
            setattr(doc, name, value)
        audit.record_change(doc, old, action=action)
        if event:
            emit(
                event, payload if payload is not None else {"id": doc.pk, "status": to}, company=_company(doc)
            )
    return doc


def _refused(doc: Model, current: Any, requested: Any) -> InvalidTransition:
    """The refusal, worded in the user's language with the statuses' labels; the exception's
    `current`/`requested` keep the raw values. Built only when refusing: every name in it is a
    translation look-up the allowed path does not pay for."""
    return InvalidTransition(
        str(current),
        str(requested),
        document=_label(doc),
        current_label=_status_label(doc, current),
        requested_label=_status_label(doc, requested),
    )


def _label(doc: Model) -> str:
    """The document as a refusal names it; built only when refusing (the verbose name is a
    translation look-up)."""
    return f"{type(doc)._meta.verbose_name} {getattr(doc, 'number', '') or doc.pk}".strip()


def _status_label(doc: Model, value: Any) -> str:
    """The label the model's status choices give `value`, or the value itself."""
    labels = dict(type(doc)._meta.get_field("status").flatchoices)
    return str(labels.get(str(value), value))


def _company(doc: Model) -> int | None:
    return getattr(doc, "company_id", None)
