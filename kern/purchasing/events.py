"""Events purchasing emits. Names are stable; payloads are plain data (ids, numbers, amounts)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BILL_APPROVED",
    "BILL_CANCELLED",
    "BILL_PAID",
    "ORDER_APPROVED",
    "ORDER_CANCELLED",
    "ORDER_SENT",
    "REQUISITION_APPROVED",
    "RFQ_SENT",
    "BillEvent",
    "OrderEvent",
]

ORDER_APPROVED = "purchasing.order_approved"
ORDER_SENT = "purchasing.order_sent"
ORDER_CANCELLED = "purchasing.order_cancelled"
BILL_APPROVED = "purchasing.bill_approved"
BILL_CANCELLED = "purchasing.bill_cancelled"
BILL_PAID = "purchasing.bill_paid"
REQUISITION_APPROVED = "purchasing.requisition_approved"
RFQ_SENT = "purchasing.rfq_sent"


@dataclass(frozen=True)
class OrderEvent:
    company_id: int
    order_id: int
    number: str
    vendor_id: int
    status: str
    total: str
    currency: str
    email: str = ""


@dataclass(frozen=True)
class BillEvent:
    company_id: int
    bill_id: int
    number: str
    vendor_id: int
    status: str
    total: str
    currency: str
