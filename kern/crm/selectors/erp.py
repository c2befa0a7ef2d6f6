"""The customer 360's sections that the back office owns: quotes, orders, deliveries, invoices,
credit, payments, revenue and margin, service tickets — read through those apps' public selectors.

Each section stays empty ("none" on the page) while its app has no data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["DocumentLine", "fill"]


@dataclass(frozen=True)
class DocumentLine:
    """One row of a document section: what it is, when, how much, its state and its page."""

    kind: str
    id: int
    number: str
    date: dt.date | None
    amount: Decimal | None
    currency: str
    status: str
    due: dt.date | None = None
    open_amount: Decimal | None = None
    overdue: bool = False
    url_label: str = ""


def fill(view: Any, party: Any) -> None:
    """Fill the back-office sections of `view` for `party`."""
    return None
