"""Errors the inventory services raise, each with a stable `code`.

Refusals name the product and the quantities, so a warehouse clerk (or the API client) sees what
to fix: "CHAIR-01 Chair: 12 requested, 10 available". They are worded in the user's language when
raised; a `title` is English source text, translated when the problem is rendered. `code` and the
context keys (`sku`, `requested`, …) are machine-readable and never change with the language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext, gettext_noop

from kern.core.exceptions import Conflict, InvalidTransition, ValidationFailed

__all__ = [
    "DuplicateSerial",
    "InsufficientStock",
    "InvalidQuantity",
    "LotRequired",
    "NotStockable",
    "OverShipment",
    "UnknownCode",
    "UnknownLot",
    "refused_transition",
]

# The reasons the services give InvalidQuantity: English source text, translated when the
# refusal is worded (a reason not in the catalogue is shown as given).
_REASONS = (
    gettext_noop("must be positive"),
    gettext_noop("cannot be negative"),
    gettext_noop("is not a number"),
)


def _fmt(quantity: Decimal) -> str:
    text = format(quantity.normalize(), "f") if isinstance(quantity, Decimal) else str(quantity)
    return text


def _label(product: Any) -> str:
    return f"{product.sku} {product.name}" if hasattr(product, "sku") else str(product)


def refused_transition(doc: Model, requested: str) -> InvalidTransition:
    """The refusal of moving `doc` (an operation, a stock count) from its status to `requested`,
    worded as `kern.core.workflow.transition` words its own: the document by its (translated) name
    and number, the statuses by their labels; `current`/`requested` stay the raw values. Built only
    when refusing (every name in it is a translation look-up)."""
    meta = type(doc)._meta
    labels = dict(meta.get_field("status").flatchoices)
    current = doc.status
    return InvalidTransition(
        str(current),
        str(requested),
        document=f"{meta.verbose_name} {getattr(doc, 'number', '') or doc.pk}".strip(),
        current_label=str(labels.get(str(current), current)),
        requested_label=str(labels.get(str(requested), requested)),
    )


class InsufficientStock(Conflict):
    """Not enough unreserved stock for a reservation or a shipment (HTTP 409)."""

    code = "insufficient_stock"
    title = gettext_noop("Insufficient stock")

    def __init__(self, product: Any, *, requested: Decimal, available: Decimal, location: str = ""):
        names = {
            "product": _label(product),
            "requested": _fmt(requested),
            "available": _fmt(available),
            "location": location,
        }
        if location:
            message = gettext("%(product)s: %(requested)s requested, %(available)s available in %(location)s")
        else:
            message = gettext("%(product)s: %(requested)s requested, %(available)s available")
        super().__init__(
            message % names,
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
    title = gettext_noop("More than reserved")

    def __init__(self, product: Any, *, requested: Decimal, reserved: Decimal):
        super().__init__(
            gettext("%(product)s: %(requested)s to ship, only %(reserved)s reserved")
            % {"product": _label(product), "requested": _fmt(requested), "reserved": _fmt(reserved)},
            product_id=getattr(product, "pk", product),
            sku=getattr(product, "sku", ""),
            requested=_fmt(requested),
            reserved=_fmt(reserved),
        )


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    title = gettext_noop("Invalid quantity")

    def __init__(self, product: Any, quantity: Any, *, field: str = "quantity", reason: str = _REASONS[0]):
        message = gettext("%(product)s: quantity %(quantity)s %(reason)s") % {
            "product": _label(product),
            "quantity": quantity,
            "reason": gettext(reason) if reason else reason,
        }
        super().__init__(message, errors={field: [message]}, product_id=getattr(product, "pk", product))


class NotStockable(ValidationFailed):
    code = "not_stockable"
    title = gettext_noop("Product is not kept in stock")


class UnknownLot(ValidationFailed):
    code = "unknown_lot"
    title = gettext_noop("Unknown lot or serial number")


class DuplicateSerial(ValidationFailed):
    code = "duplicate_serial"
    title = gettext_noop("Serial number already used")


class LotRequired(ValidationFailed):
    code = "lot_required"
    title = gettext_noop("Lot or serial number required")

    @classmethod
    def for_product(cls, product: Any, **context: Any) -> LotRequired:
        """The refusal of a tracked product's line without its lot or serial number, one sentence
        per tracking kind: "a serial number is required for PHONE Phone"."""
        # A product's `tracking` is TrackingMode ("lot" / "serial"); compared by value so this
        # module needs no catalog models.
        if getattr(product, "tracking", None) == "serial":
            message = gettext("a serial number is required for %(product)s")
        else:
            message = gettext("a lot number is required for %(product)s")
        return cls(message % {"product": _label(product)}, **context)


class UnknownCode(ValidationFailed):
    """A scanned or typed code that is no product, lot, serial or location of the company."""

    code = "unknown_code"
    title = gettext_noop("Unknown code")
