"""How one document stands with payments: its open item (what is left to pay or receive), the
payments and offsets that settled it, and the payment runs that carry it.

The document's app (a vendor bill in purchasing, an invoice in sales) asks by its own source
type and id: payments never imports the apps above it, and the open item keeps the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kern.payments.models import Allocation, OpenItem, PaymentRunLine

__all__ = ["Settlement", "settlement_of"]


@dataclass(frozen=True)
class Settlement:
    item: OpenItem
    # payments and offsets against other items, oldest first; reversed ones stay, marked
    allocations: list[Allocation]
    # the runs that include (or included) the item, newest first; cancelled runs too, so the
    # history of a bill that was left out of a run can still be followed
    run_lines: list[PaymentRunLine]


def settlement_of(company: Any, *, kind: str, source_type: str, source_id: int) -> Settlement | None:
    """The open item registered for a document, with what settled it; None before there is one
    (a draft bill has no open item until it is approved)."""
    company_id = getattr(company, "pk", company)
    item = (
        OpenItem.objects.filter(
            company_id=company_id, kind=kind, source_type=source_type, source_id=source_id
        )
        .select_related("currency")
        .first()
    )
    if item is None:
        return None
    allocations = list(
        Allocation.objects.filter(company_id=company_id, open_item=item)
        .select_related("payment", "counterpart")
        .order_by("date", "id")
    )
    run_lines = list(
        PaymentRunLine.objects.filter(company_id=company_id, open_item=item)
        .select_related("run", "payment")
        .order_by("-run_id", "id")
    )
    return Settlement(item=item, allocations=allocations, run_lines=run_lines)
