"""Reads of the catalog: unit conversion and the price a customer pays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kern.catalog.exceptions import IncompatibleUnits
from kern.catalog.models import PriceList, PriceListItem, Product, Uom

__all__ = ["Price", "convert_quantity", "price_for", "price_lists_for", "products_for", "search_products"]


def products_for(company: Any) -> QuerySet[Product]:
    return Product.objects.for_company(company)


def search_products(company: Any, text: str, *, limit: int = 20) -> QuerySet[Product]:
    text = (text or "").strip()
    qs = products_for(company).filter(is_active=True)
    if text:
        qs = qs.filter(
            Q(sku__iexact=text) | Q(sku__istartswith=text) | Q(name__icontains=text) | Q(barcode=text)
        )
    return qs.order_by("sku")[:limit]


def convert_quantity(quantity: Decimal, from_uom: Uom, to_uom: Uom, *, round_result: bool = True) -> Decimal:
    """Convert within a unit category (12 pcs → 1 dozen); across categories raises IncompatibleUnits."""
    if from_uom.pk == to_uom.pk:
        return quantity
    if from_uom.category_id != to_uom.category_id:
        raise IncompatibleUnits(
            f"cannot convert {from_uom.code} to {to_uom.code}: "
            f"{from_uom.category} and {to_uom.category} are different kinds of unit",
            errors={"uom": [f"{from_uom.code} does not convert to {to_uom.code}"]},
        )
    result = quantity * from_uom.factor / to_uom.factor
    if round_result:
        result = result.quantize(
            to_uom.rounding.normalize() if to_uom.rounding else Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
    return result


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    currency: str
    price_list_id: int | None
    min_quantity: Decimal
    list_price: Decimal

    @property
    def discount_percent(self) -> Decimal:
        if not self.list_price:
            return Decimal("0")
        return ((self.list_price - self.unit_price) / self.list_price * 100).quantize(Decimal("0.01"))


def price_lists_for(
    company: Any, *, party: Any = None, on: dt.date, currency: str | None = None
) -> list[PriceList]:
    """Valid lists for the party, most specific first (own list, group lists, general lists)."""
    party_id = getattr(party, "pk", party)
    tag_ids: list[int] = list(party.tags.values_list("pk", flat=True)) if hasattr(party, "tags") else []
    qs = PriceList.objects.for_company(company).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        is_active=True,
    )
    audience = Q(party__isnull=True, party_tag__isnull=True)
    if party_id:
        audience |= Q(party_id=party_id)
    if tag_ids:
        audience |= Q(party_tag_id__in=tag_ids)
    qs = qs.filter(audience)
    if currency:
        qs = qs.filter(currency_id=currency)

    def rank(pl: PriceList) -> tuple[int, int, int]:
        specificity = 0 if pl.party_id else 1 if pl.party_tag_id else 2
        return specificity, pl.priority, pl.pk

    return sorted(qs, key=rank)


def price_for(
    product: Product,
    *,
    quantity: Decimal,
    party: Any = None,
    on: dt.date | None = None,
    currency: str | None = None,
) -> Price:
    """The unit price for `quantity` of `product`: the best break of the most specific valid list."""
    on = on or dt.date.today()
    base_currency = product.company.base_currency_id
    currency = currency or base_currency
    lists = price_lists_for(product.company_id, party=party, on=on, currency=currency)
    if lists:
        items = list(
            PriceListItem.objects.filter(
                price_list_id__in=[pl.pk for pl in lists], product=product, min_quantity__lte=quantity
            ).order_by("-min_quantity")
        )
        for pl in lists:
            for item in items:
                if item.price_list_id != pl.pk:
                    continue
                if item.unit_price is not None:
                    unit = item.unit_price
                else:
                    unit = (
                        product.sale_price * (Decimal(100) - item.discount_percent) / Decimal(100)
                    ).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                return Price(unit, currency, pl.pk, item.min_quantity, product.sale_price)
    return Price(product.sale_price, base_currency, None, Decimal("0"), product.sale_price)
