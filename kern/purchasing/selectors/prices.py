"""Vendors' terms: which vendor sells a product, from which quantity, at what price and how fast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kern.core.selectors import MissingExchangeRate, rate_on
from kern.purchasing.models import VendorPrice

__all__ = ["vendor_price_for", "vendor_prices_for"]


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


def vendor_prices_for(
    company: Any, product: Any = None, *, on: dt.date | None = None, vendor: Any = None
) -> QuerySet[VendorPrice]:
    """Active vendor prices valid on `on` (today by default), for a product and/or a vendor."""
    on = on or timezone.localdate()
    qs = VendorPrice.objects.filter(company_id=_id(company), is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    if product is not None:
        qs = qs.filter(product_id=_id(product))
    if vendor is not None:
        qs = qs.filter(vendor_id=_id(vendor))
    return qs.select_related("vendor", "currency")


def vendor_price_for(
    company: Any,
    product: Any,
    quantity: Decimal,
    *,
    on: dt.date | None = None,
    vendor: Any = None,
    currency: str | None = None,
) -> VendorPrice | None:
    """The best price for `quantity` (in the product's unit): per vendor the highest quantity break
    the order reaches, then the lowest price in the company currency, then the shortest lead time.

    With `vendor` only that vendor's prices count; with `currency` only prices in it. A vendor
    whose currency has no exchange rate is compared only when it is the only one.
    """
    on = on or timezone.localdate()
    rows = vendor_prices_for(company, product, on=on, vendor=vendor).filter(min_quantity__lte=quantity)
    if currency:
        rows = rows.filter(currency_id=currency)
    best_per_vendor: dict[tuple[int, str], VendorPrice] = {}
    for row in rows.order_by("vendor_id", "currency_id", "-min_quantity", "unit_price", "id"):
        best_per_vendor.setdefault((row.vendor_id, row.currency_id), row)
    candidates = list(best_per_vendor.values())
    if not candidates:
        return None
    base = getattr(company, "base_currency_id", None) or "EUR"

    def key(row: VendorPrice) -> tuple[int, Decimal, int, str]:
        try:
            rate = rate_on(row.currency_id, base, on, company=company)
        except MissingExchangeRate:
            return (1, row.unit_price, row.lead_time_days, row.vendor.name)
        return (0, row.unit_price * rate, row.lead_time_days, row.vendor.name)

    return min(candidates, key=key)
