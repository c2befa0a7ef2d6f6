"""Reads of the catalog: unit conversion and the price a customer pays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kern.catalog.exceptions import IncompatibleUnits
from kern.catalog.models import (
    OptionGroup,
    OptionRule,
    OptionRuleKind,
    OptionSelection,
    PriceList,
    PriceListItem,
    Product,
    ProductOption,
    Uom,
)
from kern.core.prepared import Prepared
from kern.parties.models import PartyTag

__all__ = [
    "ConfigurationCheck",
    "Price",
    "ProductConfiguration",
    "check_configuration",
    "configuration_of",
    "configurations_of",
    "convert_quantity",
    "is_configurable",
    "price_for",
    "price_lists_for",
    "prices_for",
    "products_for",
    "search_products",
]


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
        raise IncompatibleUnits.between(from_uom, to_uom)
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
    qs = PriceList.objects.for_company(company).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        is_active=True,
    )
    audience = Q(party__isnull=True, party_tag__isnull=True)
    if party_id:
        # The customer's own lists and its groups' lists, in the same query as the general ones.
        audience |= Q(party_id=party_id) | Q(
            party_tag_id__in=PartyTag.objects.filter(parties=party_id).values("pk")
        )
    qs = qs.filter(audience)
    if currency:
        qs = qs.filter(currency_id=currency)

    def rank(pl: PriceList) -> tuple[int, int, int]:
        specificity = 0 if pl.party_id else 1 if pl.party_tag_id else 2
        return specificity, pl.priority, pl.pk

    return sorted(qs, key=rank)


def _unit_price(product: Product, unit_price: Decimal | None, discount_percent: Decimal) -> Decimal:
    """An item's own price, or the product's sale price less the item's discount."""
    if unit_price is not None:
        return unit_price
    return (product.sale_price * (Decimal(100) - discount_percent) / Decimal(100)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def price_for(
    product: Product,
    *,
    quantity: Decimal,
    party: Any = None,
    on: dt.date | None = None,
    currency: str | None = None,
) -> Price:
    """The unit price for `quantity` of `product`: the best break of the most specific valid list."""
    company = product.company
    return prices_for(
        company,
        [(product, quantity)],
        party=party,
        on=on,
        currency=currency,
        base_currency=company.base_currency_id,
    )[0]


def _candidates_query(
    shape: tuple[Any, ...], *, company_id: int, on: dt.date, product_ids: tuple[int, ...], party_id: int = 0
) -> QuerySet:
    """The items of every list valid for the audience on the date, with what ranks their list —
    the filter of `price_lists_for` applied through the item's list, so one query answers both."""
    _count, currency, with_party = shape
    audience = Q(price_list__party__isnull=True, price_list__party_tag__isnull=True)
    if with_party:
        audience |= Q(price_list__party_id=party_id) | Q(
            price_list__party_tag_id__in=PartyTag.objects.filter(parties=party_id).values("pk")
        )
    return (
        PriceListItem.objects.filter(
            Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=on),
            Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=on),
            audience,
            price_list__company_id=company_id,
            price_list__is_active=True,
            price_list__currency_id=currency,
            product_id__in=product_ids,
        )
        .order_by()
        .values_list(
            "product_id",
            "price_list_id",
            "min_quantity",
            "unit_price",
            "discount_percent",
            "price_list__party_id",
            "price_list__party_tag_id",
            "price_list__priority",
        )
    )


_CANDIDATES = Prepared(_candidates_query)


def _padded(ids: list[int]) -> tuple[int, ...]:
    """The ids, repeated up to the next power of two: a handful of compiled shapes serve every
    document size (a repeated id in `IN (…)` changes nothing)."""
    size = 1
    while size < len(ids):
        size *= 2
    return tuple(ids) + (ids[0],) * (size - len(ids))


def prices_for(
    company: Any,
    items: list[tuple[Product, Decimal]],
    *,
    party: Any = None,
    on: dt.date | None = None,
    currency: str | None = None,
    base_currency: str | None = None,
) -> list[Price]:
    """`price_for` for every (product, quantity) of a document at once: the same rule (most
    specific valid list — the customer's own, then its groups', then the general ones, ties to
    the lower priority number and then the older list — then its best quantity break), in one
    query however many lines: a 50-line order must not cost 50 price look-ups.

    The query is `Prepared` (built by the ORM once per process, then only executed): it holds no
    data, so a changed list or item is seen on the next call."""
    on = on or dt.date.today()
    if base_currency is None:
        base_currency = company.base_currency_id if hasattr(company, "base_currency_id") else None
        if base_currency is None:
            from kern.core.models import Company

            base_currency = Company.objects.values_list("base_currency_id", flat=True).get(pk=company)
    currency = currency or base_currency
    party_id = getattr(party, "pk", party)
    by_product: dict[int, list[tuple[tuple[int, int, int], Decimal, Any, Decimal, int]]] = {}
    if items:
        ids = sorted({p.pk for p, _q in items})
        values: dict[str, Any] = {
            "company_id": getattr(company, "pk", company),
            "on": on,
            "product_ids": _padded(ids),
        }
        if party_id:
            values["party_id"] = int(party_id)
        rows = _CANDIDATES.rows((len(values["product_ids"]), str(currency), bool(party_id)), **values)
        for product_id, list_id, min_quantity, unit_price, discount, own, tag, priority in rows:
            specificity = 0 if own else 1 if tag else 2
            by_product.setdefault(product_id, []).append(
                ((specificity, priority, list_id), min_quantity, unit_price, discount, list_id)
            )
        for candidates in by_product.values():
            candidates.sort(key=lambda c: (c[0], -c[1]))
    out: list[Price] = []
    for product, quantity in items:
        for _rank, min_quantity, unit_price, discount, list_id in by_product.get(product.pk, ()):
            if min_quantity <= quantity:
                out.append(
                    Price(
                        _unit_price(product, unit_price, discount),
                        currency,
                        list_id,
                        min_quantity,
                        product.sale_price,
                    )
                )
                break
        else:
            out.append(Price(product.sale_price, base_currency, None, Decimal("0"), product.sale_price))
    return out


# --- Product configuration (CPQ) -------------------------------------------------------------


@dataclass(frozen=True)
class ProductConfiguration:
    """The option groups, options and rules of one configurable product, read once."""

    product_id: int
    groups: tuple[OptionGroup, ...]
    options: dict[int, ProductOption]  # by id, active and inactive
    options_by_group: dict[int, tuple[ProductOption, ...]]  # active options only
    rules: tuple[OptionRule, ...]

    @property
    def is_configurable(self) -> bool:
        return bool(self.groups)

    def default_option_ids(self) -> list[int]:
        return [o.pk for g in self.groups for o in self.options_by_group.get(g.pk, ()) if o.is_default]

    def by_code(self, code: str) -> ProductOption | None:
        """`group.option` or a bare option code (when it is unique within the product)."""
        if "." in code:
            group_code, option_code = code.split(".", 1)
            group = next((g for g in self.groups if g.code == group_code), None)
            if group is None:
                return None
            return next((o for o in self.options_by_group.get(group.pk, ()) if o.code == option_code), None)
        found = [o for o in self.options.values() if o.code == code and o.is_active]
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class ConfigurationCheck:
    ok: bool
    option_ids: tuple[int, ...]
    errors: dict[str, list[str]]
    price_delta: Decimal
    cost_delta: Decimal
    summary: str  # "Frame: Oak; Extras: Armrests, Cushion"
    choices: tuple[dict[str, Any], ...]  # [{"group", "group_name", "option", "option_name", "price_delta"}]

    @property
    def messages(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


def configurations_of(products: list[Product] | list[int]) -> dict[int, ProductConfiguration]:
    """The configuration of each product in three queries (groups, options, rules)."""
    ids = sorted({getattr(p, "pk", p) for p in products})
    # Products read already say whether they have options: ask only about those that do.
    asked = sorted({getattr(p, "pk", p) for p in products if getattr(p, "is_configurable", True)})
    groups: dict[int, list[OptionGroup]] = {pid: [] for pid in ids}
    options: dict[int, dict[int, ProductOption]] = {pid: {} for pid in ids}
    by_group: dict[int, list[ProductOption]] = {}
    rules: dict[int, list[OptionRule]] = {pid: [] for pid in ids}
    if asked:
        group_rows = list(OptionGroup.objects.filter(product_id__in=asked).order_by("sequence", "id"))
        for g in group_rows:
            groups[g.product_id].append(g)
        if group_rows:
            product_of_group = {g.pk: g.product_id for g in group_rows}
            for o in ProductOption.objects.filter(group_id__in=list(product_of_group)).order_by(
                "sequence", "id"
            ):
                options[product_of_group[o.group_id]][o.pk] = o
                if o.is_active:
                    by_group.setdefault(o.group_id, []).append(o)
            for r in OptionRule.objects.filter(product_id__in=ids).order_by("id"):
                rules[r.product_id].append(r)
    return {
        pid: ProductConfiguration(
            product_id=pid,
            groups=tuple(groups[pid]),
            options=options[pid],
            options_by_group={g.pk: tuple(by_group.get(g.pk, ())) for g in groups[pid]},
            rules=tuple(rules[pid]),
        )
        for pid in ids
    }


def configuration_of(product: Product | int) -> ProductConfiguration:
    return configurations_of([product])[getattr(product, "pk", product)]


def is_configurable(product: Product | int) -> bool:
    return OptionGroup.objects.filter(product_id=getattr(product, "pk", product)).exists()


def check_configuration(
    config: ProductConfiguration, chosen: list[int | str] | None, *, field: str = "options"
) -> ConfigurationCheck:
    """Check a set of chosen options (ids or codes) against the product's groups and rules.

    Everything wrong is reported at once — unknown options, a required group left open, two
    answers to a choose-one question, a "requires" not met, an "excludes" broken — so the quote
    builder can show every problem next to the line while the user edits it.
    """
    errors: dict[str, list[str]] = {}

    def fail(message: str) -> None:
        errors.setdefault(field, []).append(message)

    ids: list[int] = []
    for raw in chosen or []:
        option = None
        if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
            option = config.options.get(int(raw))
        elif isinstance(raw, str):
            option = config.by_code(raw.strip())
        if option is None or not option.is_active:
            fail(f"{raw!s} is not an option of this product")
            continue
        if option.pk not in ids:
            ids.append(option.pk)
    chosen_set = set(ids)
    group_names = {g.pk: g.name for g in config.groups}
    for group in config.groups:
        picked = [config.options[i] for i in ids if config.options[i].group_id == group.pk]
        if group.is_required and not picked:
            fail(f"{group.name}: choose an option")
        if group.selection == OptionSelection.SINGLE and len(picked) > 1:
            fail(f"{group.name}: choose only one of {', '.join(o.name for o in picked)}")
    for rule in config.rules:
        if rule.option_id not in chosen_set:
            continue
        option, target = config.options.get(rule.option_id), config.options.get(rule.target_id)
        if option is None or target is None:
            continue
        if rule.kind == OptionRuleKind.REQUIRES and rule.target_id not in chosen_set:
            fail(f"{option.name} requires {target.name}")
        elif rule.kind == OptionRuleKind.EXCLUDES and rule.target_id in chosen_set:
            fail(f"{option.name} cannot be combined with {target.name}")
    ordered = sorted(
        ids,
        key=lambda i: (
            [g.pk for g in config.groups].index(config.options[i].group_id),
            config.options[i].sequence,
            i,
        ),
    )
    price_delta = sum((config.options[i].price_delta for i in ordered), Decimal("0"))
    cost_delta = sum((config.options[i].cost_delta for i in ordered), Decimal("0"))
    parts: dict[int, list[str]] = {}
    for i in ordered:
        parts.setdefault(config.options[i].group_id, []).append(config.options[i].name)
    summary = "; ".join(f"{group_names[g]}: {', '.join(names)}" for g, names in parts.items())
    groups_by_id = {g.pk: g for g in config.groups}
    choices = tuple(
        {
            "group": groups_by_id[config.options[i].group_id].code,
            "group_name": group_names[config.options[i].group_id],
            "option": config.options[i].code,
            "option_name": config.options[i].name,
            "option_id": i,
            "price_delta": str(config.options[i].price_delta),
        }
        for i in ordered
    )
    return ConfigurationCheck(
        ok=not errors,
        option_ids=tuple(ordered),
        errors=errors,
        price_delta=price_delta,
        cost_delta=cost_delta,
        summary=summary,
        choices=choices,
    )
