"""Writes of the catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kern.catalog.models import PriceList, PriceListItem, Product, ProductCategory, Uom
from kern.core import context
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.models import Company, Currency
from kern.core.services import validated
from kern.parties.models import Party, PartyTag

__all__ = [
    "create_category",
    "create_price_list",
    "create_product",
    "remove_price_list_item",
    "set_price_list_item",
    "update_price_list",
    "update_product",
]

PRODUCT_FIELDS = {
    "sku",
    "name",
    "description",
    "type",
    "sale_price",
    "cost",
    "tax_category",
    "barcode",
    "tracking",
    "can_be_sold",
    "can_be_purchased",
    "weight_kg",
    "is_active",
}


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def _product_refs(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - PRODUCT_FIELDS - {"uom", "category"}
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], "unknown field")
    data = {k: v for k, v in fields.items() if k in PRODUCT_FIELDS}
    if "uom" in fields:
        uom = fields["uom"]
        found = uom if isinstance(uom, Uom) else Uom.objects.filter(code=str(uom)).first()
        if found is None:
            raise ValidationFailed.on("uom", f"unknown unit {uom!r}")
        data["uom"] = found
    if "category" in fields:
        cat = fields["category"]
        if cat in (None, ""):
            data["category"] = None
        else:
            found = ProductCategory.objects.for_company(company).filter(pk=getattr(cat, "pk", cat)).first()
            if found is None:
                raise ValidationFailed.on("category", f"unknown category {cat!r}")
            data["category"] = found
    if isinstance(data.get("sku"), str):
        data["sku"] = data["sku"].strip()
    return data


def create_product(company: Company, *, by: Any = None, **fields: Any) -> Product:
    fields.setdefault("uom", "pcs")
    product = Product(company=company, **_product_refs(company, fields))
    validated(product)
    with atomic(), _acting(by):
        product.save()
    return product


def update_product(product: Product, *, by: Any = None, **fields: Any) -> Product:
    for name, value in _product_refs(product.company, fields).items():
        setattr(product, name, value)
    validated(product)
    with atomic(), _acting(by):
        product.save()
    return product


def create_category(
    company: Company, *, name: str, parent: ProductCategory | None = None, by: Any = None, **fields: Any
) -> ProductCategory:
    category = ProductCategory(company=company, name=name, parent=parent, **fields)
    validated(category)
    with atomic(), _acting(by):
        category.save()
    return category


def _price_list_refs(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    if "currency" in data:
        code = str(data.pop("currency") or "").upper()
        if not Currency.objects.filter(code=code, is_active=True).exists():
            raise ValidationFailed.on("currency", f"unknown currency {code!r}")
        data["currency_id"] = code
    if data.get("party") is not None:
        party = (
            Party.objects.for_company(company).filter(pk=getattr(data["party"], "pk", data["party"])).first()
        )
        if party is None:
            raise ValidationFailed.on("party", "unknown customer")
        data["party"] = party
    if data.get("party_tag") is not None:
        tag = (
            PartyTag.objects.for_company(company)
            .filter(pk=getattr(data["party_tag"], "pk", data["party_tag"]))
            .first()
        )
        if tag is None:
            raise ValidationFailed.on("party_tag", "unknown customer group")
        data["party_tag"] = tag
    return data


def create_price_list(company: Company, *, by: Any = None, **fields: Any) -> PriceList:
    price_list = PriceList(company=company, **_price_list_refs(company, fields))
    validated(price_list)
    if price_list.party_id and price_list.party_tag_id:
        raise ValidationFailed.on("party_tag", "a price list is for one customer or one group, not both")
    with atomic(), _acting(by):
        price_list.save()
    return price_list


def update_price_list(price_list: PriceList, *, by: Any = None, **fields: Any) -> PriceList:
    for name, value in _price_list_refs(price_list.company, fields).items():
        setattr(price_list, name, value)
    validated(price_list)
    with atomic(), _acting(by):
        price_list.save()
    return price_list


def set_price_list_item(
    price_list: PriceList,
    product: Product,
    *,
    min_quantity: Decimal = Decimal("0"),
    unit_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
    by: Any = None,
) -> PriceListItem:
    """Add or replace the price break of `product` from `min_quantity` up."""
    if product.company_id != price_list.company_id:
        raise ValidationFailed.on("product", "unknown product")
    if (unit_price is None) == (discount_percent is None):
        raise ValidationFailed.on("unit_price", "give either a unit price or a discount percentage")
    with atomic(), _acting(by):
        item = PriceListItem.objects.filter(
            price_list=price_list, product=product, min_quantity=min_quantity
        ).first()
        item = item or PriceListItem(
            company_id=price_list.company_id,
            price_list=price_list,
            product=product,
            min_quantity=min_quantity,
        )
        item.unit_price = unit_price
        item.discount_percent = discount_percent
        validated(item)
        item.save()
    return item


def remove_price_list_item(item: PriceListItem, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        item.delete()
