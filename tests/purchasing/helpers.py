"""Helpers the purchasing tests share: receiving an order's goods, ledger balances by role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from kern.inventory import selectors as inventory_selectors
from kern.inventory import services as inventory
from kern.inventory.models import OperationStatus
from kern.ledger.models import JournalLine
from kern.ledger.selectors import account_for
from kern.purchasing.models import PurchaseOrder


def open_receipt(order: PurchaseOrder):
    return (
        inventory_selectors.operations_for(order.company_id, "purchasing.order", order.pk)
        .exclude(status__in=[OperationStatus.DONE, OperationStatus.CANCELLED])
        .get()
    )


def receive(order: PurchaseOrder, quantities: dict | None = None, *, by=None, on=None):
    """Validate the order's open receipt; `quantities` maps product (or SKU) → quantity received."""
    receipt = open_receipt(order)
    moves = {m.pk: m for m in receipt.moves.select_related("product")}
    done = None
    if quantities is not None:
        done = {}
        for key, qty in quantities.items():
            sku = getattr(key, "sku", key)
            move = next(m for m in moves.values() if m.product.sku == sku)
            done[move.pk] = Decimal(str(qty))
    inventory.validate_operation(receipt, quantities=done, by=by, on=on)
    order.refresh_from_db()
    return receipt


def balance(company, role: str) -> Decimal:
    """Debit minus credit of the account that plays `role`."""
    account = account_for(company, role)
    totals = JournalLine.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or Decimal("0")) - (totals["c"] or Decimal("0"))


YEAR = dt.date.today().year


def D(month: int, day: int) -> dt.date:
    """A day of the current (open) fiscal year."""
    return dt.date(YEAR, month, day)
