"""What callers hand to the posting services: lines, source references, entries.

They live apart from `services` so that selectors (compute_taxes builds VAT lines) can build
them too; import them from `kern.ledger.services`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kern.ledger.models import EntryKind, JournalEntry

__all__ = ["ZERO", "EntrySpec", "LineSpec", "SourceRef"]

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineSpec:
    account: str = ""  # account code; or leave empty and give `role`
    debit: Decimal = ZERO  # company currency
    credit: Decimal = ZERO
    party_id: int | None = None  # required on receivable/payable accounts
    amount_currency: Decimal | None = None  # signed amount in the transaction currency
    currency: str | None = None
    tax_code: str | None = None
    description: str = ""
    analytic: dict[str, str] | None = None  # {"cost_centre": "…", "project": "…"}
    role: str | None = None  # resolve the account through the company's account roles
    due_date: dt.date | None = None  # receivable/payable lines: when the item falls due


@dataclass(frozen=True)
class SourceRef:
    type: str  # "sales.invoice", "inventory.move", "payments.payment" …
    id: int
    number: str = ""


@dataclass(frozen=True)
class EntrySpec:
    company: Any
    journal: str  # journal code or kind ("sale", "purchase", "bank", "cash", "general", "stock", "payroll")
    on: dt.date
    lines: Sequence[LineSpec]
    source: SourceRef | None = None
    memo: str = ""
    kind: str = EntryKind.NORMAL
    reversal_of: JournalEntry | None = None
