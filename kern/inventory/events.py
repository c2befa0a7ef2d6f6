"""Events the inventory emits. Higher apps (sales, purchasing, manufacturing) subscribe to them in
their AppConfig.ready() to update delivered / received quantities on their documents.

Payloads carry the source pointers the higher app gave when it created the operation, so a
handler finds its own lines without reading inventory tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ADJUSTMENT_DONE",
    "COUNT_APPLIED",
    "DELIVERY_DONE",
    "EVENT_FOR_KIND",
    "OPERATION_CANCELLED",
    "PRODUCTION_DONE",
    "RECEIPT_DONE",
    "RETURN_DONE",
    "SCRAP_DONE",
    "TRANSFER_DONE",
    "MoveDone",
    "OperationCancelled",
    "OperationDone",
    "StockCountApplied",
]

DELIVERY_DONE = "inventory.delivery_done"
RECEIPT_DONE = "inventory.receipt_done"
RETURN_DONE = "inventory.return_done"
TRANSFER_DONE = "inventory.transfer_done"
SCRAP_DONE = "inventory.scrap_done"
ADJUSTMENT_DONE = "inventory.adjustment_done"
PRODUCTION_DONE = "inventory.production_done"
OPERATION_CANCELLED = "inventory.operation_cancelled"
COUNT_APPLIED = "inventory.stock_count_applied"

EVENT_FOR_KIND = {
    "delivery": DELIVERY_DONE,
    "receipt": RECEIPT_DONE,
    "customer_return": RETURN_DONE,
    "supplier_return": RETURN_DONE,
    "internal": TRANSFER_DONE,
    "scrap": SCRAP_DONE,
    "adjustment": ADJUSTMENT_DONE,
    "production": PRODUCTION_DONE,
}


@dataclass(frozen=True)
class MoveDone:
    move_id: int
    product_id: int
    quantity: str  # in the product's unit
    uom_quantity: str  # in the unit of the document line
    source_type: str
    source_id: int | None
    lot: str | None
    value: str | None  # company currency; None when not valued


@dataclass(frozen=True)
class OperationDone:
    company_id: int
    operation_id: int
    number: str
    kind: str
    source_type: str
    source_id: int | None
    partner_id: int | None
    date: str
    backorder_id: int | None
    value: str
    moves: list[MoveDone] = field(default_factory=list)


@dataclass(frozen=True)
class OperationCancelled:
    company_id: int
    operation_id: int
    number: str
    kind: str
    source_type: str
    source_id: int | None


@dataclass(frozen=True)
class StockCountApplied:
    company_id: int
    count_id: int
    number: str
    adjustment_id: int | None
