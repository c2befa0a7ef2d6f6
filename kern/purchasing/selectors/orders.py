"""Reads about purchase orders: their receipts in the warehouse, what is still to come."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kern.inventory import selectors as inventory_selectors
from kern.inventory.models import Operation
from kern.purchasing.models import OPEN_ORDER_STATUSES, OrderLine, PurchaseOrder

__all__ = ["ORDER_SOURCE", "orders_for", "receipts_of", "to_receive"]

ORDER_SOURCE = "purchasing.order"


def orders_for(company: Any) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(company_id=getattr(company, "pk", company))


def receipts_of(order: PurchaseOrder) -> QuerySet[Operation]:
    """The receipts, backorders and returns inventory holds for the order, oldest first."""
    return inventory_selectors.operations_for(order.company_id, ORDER_SOURCE, order.pk)


def to_receive(company: Any, product: Any = None) -> list[tuple[OrderLine, Decimal]]:
    """Open order lines with goods still to come, and how many (in the line's unit)."""
    lines = OrderLine.objects.filter(
        company_id=getattr(company, "pk", company), order__status__in=OPEN_ORDER_STATUSES
    ).select_related("order", "product", "uom")
    if product is not None:
        lines = lines.filter(product_id=getattr(product, "pk", product))
    return [(ln, ln.qty_to_receive) for ln in lines if ln.qty_to_receive > 0]
