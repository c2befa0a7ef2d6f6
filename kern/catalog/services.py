"""Writes of the catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q

from kern.catalog.models import (
    OptionGroup,
    OptionRule,
    OptionRuleKind,
    OptionSelection,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    ProductOption,
    Uom,
)
from kern.core import audit, context
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.models import Company, Currency
from kern.core.services import validated
from kern.parties.models import Party, PartyTag

__all__ = [
    "add_option",
    "add_option_group",
    "add_option_rule",
    "create_category",
    "create_price_list",
    "create_product",
    "remove_option",
    "remove_option_group",
    "remove_option_rule",
    "remove_price_list_item",
    "set_price_list_item",
    "update_option",
    "update_option_group",
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


# --- Product configuration (CPQ options) ----------------------------------------------------------

GROUP_FIELDS = {"code", "name", "selection", "is_required", "sequence"}
OPTION_FIELDS = {"code", "name", "price_delta", "cost_delta", "is_default", "is_active", "sequence"}


def _only(fields: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed.on(unknown[0], "unknown field")
    return fields


def add_option_group(product: Product, *, by: Any = None, **fields: Any) -> OptionGroup:
    """Ask a question when `product` is sold; the product becomes configurable."""
    _only(fields, GROUP_FIELDS)
    group = OptionGroup(company_id=product.company_id, product=product, **fields)
    if group.selection not in OptionSelection.values:
        raise ValidationFailed.on("selection", "single or multiple")
    validated(group, exclude=["company", "product"])
    with atomic(), _acting(by):
        if OptionGroup.objects.filter(product=product, code=group.code).exists():
            raise ValidationFailed.on("code", f"the product already has an option group {group.code!r}")
        group.save()
        _mark_configurable(product)
    return group


def _mark_configurable(product: Product) -> None:
    configurable = OptionGroup.objects.filter(product_id=product.pk).exists()
    if product.is_configurable != configurable:
        old = {"is_configurable": product.is_configurable}
        Product.objects.filter(pk=product.pk).update(is_configurable=configurable)
        product.is_configurable = configurable
        audit.record_change(product, old)


def update_option_group(group: OptionGroup, *, by: Any = None, **fields: Any) -> OptionGroup:
    _only(fields, GROUP_FIELDS)
    for name, value in fields.items():
        setattr(group, name, value)
    validated(group, exclude=["company", "product"])
    with atomic(), _acting(by):
        if (
            OptionGroup.objects.filter(product_id=group.product_id, code=group.code)
            .exclude(pk=group.pk)
            .exists()
        ):
            raise ValidationFailed.on("code", f"the product already has an option group {group.code!r}")
        group.save()
    return group


def remove_option_group(group: OptionGroup, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        OptionRule.objects.filter(option__group=group).delete()
        OptionRule.objects.filter(target__group=group).delete()
        group.options.all().delete()
        product = group.product
        group.delete()
        _mark_configurable(product)


def add_option(group: OptionGroup, *, by: Any = None, **fields: Any) -> ProductOption:
    _only(fields, OPTION_FIELDS)
    option = ProductOption(company_id=group.company_id, group=group, **fields)
    validated(option, exclude=["company", "group"])
    with atomic(), _acting(by):
        if ProductOption.objects.filter(group=group, code=option.code).exists():
            raise ValidationFailed.on("code", f"{group.name} already has an option {option.code!r}")
        option.save()
    return option


def update_option(option: ProductOption, *, by: Any = None, **fields: Any) -> ProductOption:
    _only(fields, OPTION_FIELDS)
    for name, value in fields.items():
        setattr(option, name, value)
    validated(option, exclude=["company", "group"])
    with atomic(), _acting(by):
        if (
            ProductOption.objects.filter(group_id=option.group_id, code=option.code)
            .exclude(pk=option.pk)
            .exists()
        ):
            raise ValidationFailed.on("code", f"the group already has an option {option.code!r}")
        option.save()
    return option


def remove_option(option: ProductOption, *, by: Any = None) -> None:
    """Remove an option and the rules that name it. Documents keep what was chosen as text."""
    with atomic(), _acting(by):
        for rule in OptionRule.objects.filter(option=option) | OptionRule.objects.filter(target=option):
            rule.delete()
        option.delete()


def add_option_rule(product: Product, *, option: Any, kind: str, target: Any, by: Any = None) -> OptionRule:
    """`option` requires / excludes `target` (both options of `product`, given as ids or objects)."""
    if kind not in OptionRuleKind.values:
        raise ValidationFailed.on("kind", "requires or excludes")
    options = {
        o.pk: o
        for o in ProductOption.objects.filter(
            group__product=product, pk__in=[getattr(option, "pk", option), getattr(target, "pk", target)]
        ).select_related("group")
    }
    first = options.get(getattr(option, "pk", option))
    second = options.get(getattr(target, "pk", target))
    if first is None:
        raise ValidationFailed.on("option", "not an option of this product")
    if second is None:
        raise ValidationFailed.on("target", "not an option of this product")
    if first.pk == second.pk:
        raise ValidationFailed.on("target", "an option cannot require or exclude itself")
    if (
        kind == OptionRuleKind.REQUIRES
        and first.group_id == second.group_id
        and first.group.selection == OptionSelection.SINGLE
    ):
        raise ValidationFailed.on(
            "target", f"{first.name} and {second.name} answer the same choose-one question"
        )
    opposite = OptionRuleKind.EXCLUDES if kind == OptionRuleKind.REQUIRES else OptionRuleKind.REQUIRES
    with atomic(), _acting(by):
        contradiction = OptionRule.objects.filter(
            Q(option=first, target=second) | Q(option=second, target=first, kind=OptionRuleKind.EXCLUDES),
            kind=opposite,
        ).exists()
        if contradiction:
            raise ValidationFailed.on(
                "kind", f"a rule already says the opposite of {first.name} {kind} {second.name}"
            )
        rule, _created = OptionRule.objects.get_or_create(
            company_id=product.company_id, product=product, option=first, kind=kind, target=second
        )
    return rule


def remove_option_rule(rule: OptionRule, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        rule.delete()
