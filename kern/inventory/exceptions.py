"""Errors the inventory services raise, each with a stable `code`.

Refusals name the product and the quantities, so a warehouse clerk (or the API client) sees what
to fix: "CHAIR-01 Chair: 12 requested, 10 available".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kern.core.exceptions import Conflict, ValidationFailed

__all__ = [
    "DuplicateSerial",
    "InsufficientStock",
    "InvalidQuantity",
    "LotRequired",
    "NotStockable",
    "OverShipment",
    "UnknownCode",
    "UnknownLot",
]


def _fmt(quantity: Decimal) -> str:
    text = format(quantity.normalize(), "f") if isinstance(quantity, Decimal) else str(quantity)
    return text


def _label(product: Any) -> str:
    return f"{product.sku} {product.name}" if hasattr(product, "sku") else str(product)


class InsufficientStock(Conflict):
    """Not enough unreserved stock for a reservation or a shipment (HTTP 409)."""

    code = "insufficient_stock"
    title = "Insufficient stock"

    def __init__(self, product: Any, *, requested: Decimal, available: Decimal, location: str = ""):
        where = f" in {location}" if location else ""
        super().__init__(
            f"{_label(product)}: {_fmt(requested)} requested, {_fmt(available)} available{where}",
            product_id=getattr(product, "pk", product),
            sku=getattr(product, "sku", ""),
            requested=_fmt(requested),
            available=_fmt(available),
        )
        self.product = product
        self.requested = requested
        self.available = available


class OverShipment(Conflict):
    """More shipped (or picked) than was reserved for the line (HTTP 409)."""

    code = "over_shipment"
    title = "More than reserved"

    def __init__(self, product: Any, *, requested: Decimal, reserved: Decimal):
        super().__init__(
            f"{_label(product)}: {_fmt(requested)} to ship, only {_fmt(reserved)} reserved",
            product_id=getattr(product, "pk", product),
            sku=getattr(product, "sku", ""),
            requested=_fmt(requested),
            reserved=_fmt(reserved),
        )


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    title = "Invalid quantity"

    def __init__(
        self, product: Any, quantity: Any, *, field: str = "quantity", reason: str = "must be positive"
    ):
        message = f"{_label(product)}: quantity {quantity} {reason}"
        super().__init__(message, errors={field: [message]}, product_id=getattr(product, "pk", product))


class NotStockable(ValidationFailed):
    code = "not_stockable"
    title = "Product is not kept in stock"


class UnknownLot(ValidationFailed):
    code = "unknown_lot"
    title = "Unknown lot or serial number"


class DuplicateSerial(ValidationFailed):
    code = "duplicate_serial"
    title = "Serial number already used"


class LotRequired(ValidationFailed):
    code = "lot_required"
    title = "Lot or serial number required"


class UnknownCode(ValidationFailed):
    """A scanned or typed code that is no product, lot, serial or location of the company."""

    code = "unknown_code"
    title = "Unknown code"
