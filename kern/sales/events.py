"""Events sales emits (names and payloads). Subscribe in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CREDIT_NOTE_POSTED",
    "INVOICE_PAID",
    "INVOICE_POSTED",
    "ORDER_CANCELLED",
    "ORDER_CONFIRMED",
    "ORDER_CREDIT_BLOCKED",
    "ORDER_RELEASED",
    "QUOTE_ACCEPTED",
    "QUOTE_APPROVED",
    "QUOTE_REJECTED",
    "QUOTE_SENT",
    "InvoicePosted",
    "OrderEvent",
    "QuoteEvent",
]

QUOTE_SENT = "sales.quote_sent"
QUOTE_APPROVED = "sales.quote_approved"
QUOTE_ACCEPTED = "sales.quote_accepted"
QUOTE_REJECTED = "sales.quote_rejected"
ORDER_CONFIRMED = "sales.order_confirmed"
ORDER_CREDIT_BLOCKED = "sales.order_credit_blocked"
ORDER_RELEASED = "sales.order_released"
ORDER_CANCELLED = "sales.order_cancelled"
INVOICE_POSTED = "sales.invoice_posted"
CREDIT_NOTE_POSTED = "sales.credit_note_posted"
INVOICE_PAID = "sales.invoice_paid"


@dataclass(frozen=True)
class QuoteEvent:
    company_id: int
    quote_id: int
    number: str
    customer_id: int
    total: str
    status: str
    source_type: str = ""  # "crm.opportunity" when the quote came from an opportunity
    source_id: int | None = None
    order_id: int | None = None


@dataclass(frozen=True)
class OrderEvent:
    company_id: int
    order_id: int
    number: str
    customer_id: int
    total: str
    status: str
    sales_rep_id: int | None = None
    team_id: int | None = None
    source_type: str = ""
    source_id: int | None = None


@dataclass(frozen=True)
class InvoicePosted:
    company_id: int
    invoice_id: int
    kind: str
    number: str
    customer_id: int
    date: str
    currency: str
    net_total: str
    total: str
    order_id: int | None = None
    sales_rep_id: int | None = None
    team_id: int | None = None
