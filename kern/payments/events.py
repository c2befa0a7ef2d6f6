"""Events payments emits (names and payloads). Subscribe in AppConfig.ready().

`OPEN_ITEM_SETTLED` is emitted whenever an open item's residual changes through payments —
an allocation, an offset, a reversal that reopens it. Sales and purchasing set their documents'
paid state from `status` (open | partial | paid) and `residual`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "OPEN_ITEM_SETTLED",
    "PAYMENT_POSTED",
    "PAYMENT_REVERSED",
    "PAYMENT_RUN_EXPORTED",
    "STATEMENT_IMPORTED",
    "OpenItemSettled",
    "PaymentPosted",
]

OPEN_ITEM_SETTLED = "payments.open_item_settled"
PAYMENT_POSTED = "payments.payment_posted"
PAYMENT_REVERSED = "payments.payment_reversed"
PAYMENT_RUN_EXPORTED = "payments.payment_run_exported"
STATEMENT_IMPORTED = "payments.statement_imported"


@dataclass(frozen=True)
class OpenItemSettled:
    company_id: int
    open_item_id: int
    kind: str
    source_type: str
    source_id: int | None
    number: str
    residual: str
    residual_company: str
    status: str
    payment_id: int | None = None


@dataclass(frozen=True)
class PaymentPosted:
    company_id: int
    payment_id: int
    number: str
    direction: str
    party_id: int
    amount: str
    currency: str
    date: str
