"""Pricing a document's lines: products, configurations, price lists, discounts, VAT codes, totals.

Quotes, orders and standalone invoices all price their lines here, in a fixed number of queries
however many lines (products, option groups, price lists and breaks are each read once):

- the list price is the catalog's price for the customer, date and quantity (the most specific
  price list, its best quantity break), plus the price deltas of the chosen options, converted to
  the document's unit and currency;
- the net unit price is the list price less the manual discount, rounded to 4 places; the line's
  net amount is quantity × net unit price, rounded half up to the currency's minor unit;
- the VAT code comes from the ledger's `tax_code_for` (product's tax category × the customer's
  situation); VAT itself is computed by the ledger's `compute_taxes` per document and code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kern.catalog.models import Product, ProductType, Uom
from kern.catalog.selectors import (
    check_configuration,
    configurations_of,
    convert_quantity,
    prices_for,
)
from kern.core.exceptions import ValidationFailed
from kern.core.money import InvalidAmount, quantize, to_decimal
from kern.core.selectors import rate_on
from kern.ledger.models import TaxKind
from kern.ledger.selectors import TaxComputation, compute_taxes, tax_code_for
from kern.parties.models import Address
from kern.sales.exceptions import InvalidConfiguration, SalesInvalid

ZERO = Decimal("0")
HUNDRED = Decimal("100")
PRICE_PLACES = Decimal("0.0001")

# Revenue account role per kind of VAT code (goods); services use revenue_services when taxed.
REVENUE_ROLES = {
    TaxKind.STANDARD: "revenue",
    TaxKind.REDUCED: "revenue_reduced",
    TaxKind.ZERO: "revenue_zero",
    TaxKind.EXEMPT: "revenue_zero",
    TaxKind.REVERSE_CHARGE: "revenue_zero",
    TaxKind.INTRA_EU_GOODS: "revenue_eu",
    TaxKind.INTRA_EU_SERVICES: "revenue_eu",
    TaxKind.EXPORT: "revenue_export",
}


@dataclass
class LineInput:
    """One line as a caller (form, API, acceptance, the benchmark) describes it."""

    product: Any  # a Product or its id
    quantity: Any
    uom: Any = None  # a unit code or Uom; default the product's unit
    discount_percent: Any = ZERO
    unit_price: Any = None  # overrides the list price (counts as a discount when lower)
    description: str = ""
    options: list[Any] | None = None  # option ids or codes ("frame.oak"); None: the defaults

    @classmethod
    def of(cls, value: Any, index: int = 0) -> LineInput:
        where = f"lines[{index}]"
        if isinstance(value, LineInput):
            return value
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(cls.__dataclass_fields__))
            if unknown:
                message = _("unknown field")
                raise SalesInvalid(
                    f"{where}.{unknown[0]}: {message}", errors={f"{where}.{unknown[0]}": [message]}
                )
            if value.get("product") in (None, ""):
                message = _("choose a product")
                raise SalesInvalid(f"{where}.product: {message}", errors={f"{where}.product": [message]})
            return cls(**value)
        raise SalesInvalid(
            f"{where}: " + _("each line needs a product and a quantity"), errors={"lines": [_("invalid")]}
        )


@dataclass
class PricedLine:
    line_no: int
    product: Product
    description: str
    quantity: Decimal
    uom: Uom
    list_price: Decimal
    catalog_price: Decimal  # list price before manual changes (what a discount is measured against)
    discount_percent: Decimal
    unit_price: Decimal
    amount: Decimal
    unit_cost: Decimal
    price_list_id: int | None
    options: list[dict[str, Any]]
    option_summary: str
    tax_code: str
    tax_rate: Decimal
    tax_kind: str
    revenue_role: str

    @property
    def effective_discount(self) -> Decimal:
        """The manual discount against the catalog price, in %, counting lowered prices too."""
        if not self.catalog_price:
            return ZERO
        return max(
            ((self.catalog_price - self.unit_price) / self.catalog_price * HUNDRED).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
            ZERO,
        )

    @property
    def cost_amount(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Situation:
    """The customer's VAT situation and addresses, read once per document."""

    country: str
    vat_id: str
    invoice_address: Address | None
    delivery_address: Address | None


@dataclass
class Priced:
    lines: list[PricedLine]
    taxes: TaxComputation
    cost_total: Decimal
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def net_total(self) -> Decimal:
        return self.taxes.net_total

    @property
    def tax_total(self) -> Decimal:
        return self.taxes.tax_total

    @property
    def total(self) -> Decimal:
        return self.taxes.gross_total

    @property
    def max_discount(self) -> Decimal:
        return max((ln.effective_discount for ln in self.lines), default=ZERO)

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.net_total:
            return None
        return ((self.net_total - self.cost_total) / self.net_total * HUNDRED).quantize(Decimal("0.01"))


def customer_situation(
    company: Any, customer: Any, *, invoice_address: Any = None, delivery_address: Any = None
) -> Situation:
    """Billing country and VAT id (for the VAT code of every line), and the default addresses."""
    prefetched = getattr(customer, "_prefetched_objects_cache", {}).get("addresses")
    if prefetched is not None:
        addresses = sorted(prefetched, key=lambda a: (not a.is_default, a.kind, a.pk))
    else:
        addresses = list(Address.objects.filter(party_id=customer.pk).order_by("-is_default", "kind", "id"))
    by_id = {a.pk: a for a in addresses}

    def pick(given: Any, kinds: tuple[str, ...], name: str) -> Address | None:
        if given not in (None, ""):
            found = by_id.get(getattr(given, "pk", given))
            if found is None:
                raise ValidationFailed.on(name, _("not an address of this customer"))
            return found
        for kind in kinds:
            for address in addresses:
                if address.kind == kind:
                    return address
        return addresses[0] if addresses else None

    billing = pick(invoice_address, ("billing", "other", "shipping"), "invoice_address")
    shipping = pick(delivery_address, ("shipping", "billing", "other"), "delivery_address")
    country = str(billing.country) if billing is not None and billing.country else ""
    if not country and customer.vat_id:
        country = customer.vat_id[:2].upper()
    return Situation(
        country=country or str(getattr(company, "country", "NL") or "NL"),
        vat_id=customer.vat_id or "",
        invoice_address=billing,
        delivery_address=shipping,
    )


def decimal_input(value: Any, name: str, *, places: int | None = None) -> Decimal:
    try:
        result = to_decimal(value if not isinstance(value, float) else str(value))
    except InvalidAmount:
        message = _("not a number")
        raise SalesInvalid(f"{name}: {message}", errors={name: [message]}) from None
    if abs(result) >= Decimal("1e15"):
        message = _("too large")
        raise SalesInvalid(f"{name}: {message}", errors={name: [message]})
    if places is not None and result != result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        message = ngettext("at most %(count)s decimal", "at most %(count)s decimals", places) % {
            "count": places
        }
        raise SalesInvalid(f"{name}: {message}", errors={name: [message]})
    return result


def price_lines(
    company: Any,
    customer: Any,
    inputs: list[Any],
    *,
    currency: str,
    on: dt.date,
    situation: Situation,
    products: dict[int, Product] | None = None,
    strict: bool = True,
) -> Priced:
    """Price every line. With `strict`, the first problem raises (422, naming the line and field);
    otherwise problems are collected in `errors` per `lines[i].field` (the live quote builder)."""
    errors: dict[str, list[str]] = {}

    def fail(where: str, message: str, cls: type = SalesInvalid) -> None:
        if strict:
            raise cls(f"{where}: {message}", errors={where: [message]})
        errors.setdefault(where, []).append(message)

    items = [LineInput.of(raw, n) for n, raw in enumerate(inputs)]
    if not items:
        fail("lines", _("add at least one line"))
    ids = set()
    for n, item in enumerate(items):
        pid = getattr(item.product, "pk", item.product)
        if isinstance(pid, bool) or not isinstance(pid, int | str) or not str(pid).isdigit():
            fail(f"lines[{n}].product", _("choose a product"))
            continue
        ids.add(int(pid))
    known = dict(products or {})
    missing = ids - set(known)
    if missing:
        for p in Product.objects.filter(company_id=company.pk, pk__in=missing).select_related("uom"):
            known[p.pk] = p
    uoms: dict[str, Uom] = {}
    wanted_uoms = {str(getattr(i.uom, "code", i.uom)) for i in items if i.uom not in (None, "")}
    if wanted_uoms:
        uoms = {u.code: u for u in Uom.objects.filter(code__in=wanted_uoms)}
    rows: list[tuple[int, LineInput, Product, Decimal, Uom]] = []
    for n, item in enumerate(items):
        pid = getattr(item.product, "pk", item.product)
        product = known.get(int(pid)) if str(pid).isdigit() else None
        if product is None:
            if str(pid).isdigit():
                fail(f"lines[{n}].product", _("unknown product"))
            continue
        if not product.can_be_sold or not product.is_active:
            fail(f"lines[{n}].product", _("%(sku)s is not for sale") % {"sku": product.sku})
            continue
        quantity = decimal_input(item.quantity, f"lines[{n}].quantity", places=4)
        if quantity <= 0:
            fail(f"lines[{n}].quantity", _("must be more than 0"))
            continue
        uom = product.uom
        if item.uom not in (None, ""):
            code = str(getattr(item.uom, "code", item.uom))
            uom = uoms.get(code)
            if uom is None:
                fail(f"lines[{n}].uom", _("unknown unit %(unit)r") % {"unit": code})
                continue
            if uom.category_id != product.uom.category_id:
                fail(
                    f"lines[{n}].uom",
                    _("%(sku)s is sold in %(unit)s; %(code)s does not convert")
                    % {"sku": product.sku, "unit": product.uom.code, "code": code},
                )
                continue
        rows.append((n, item, product, quantity, uom))
    configs = configurations_of([p for _n, _i, p, _q, _u in rows])
    base = company.base_currency_id
    # Price look-ups are in the product's unit: 2 dozen is 24 pieces for the quantity breaks.
    base_quantities = [
        convert_quantity(q, u, p.uom, round_result=False) if u.pk != p.uom_id else q
        for _n, _i, p, q, u in rows
    ]
    prices = prices_for(
        company,
        [(p, bq) for (_n, _i, p, _q, _u), bq in zip(rows, base_quantities, strict=True)],
        party=customer,
        on=on,
        currency=currency,
        base_currency=base,
    )
    doc_rate: list[Decimal] = []  # 1 company currency = rate document currency, read when needed

    def to_document(value: Decimal) -> Decimal:
        if base == currency or not value:
            return value
        if not doc_rate:
            doc_rate.append(rate_on(base, currency, on, company=company))
        return value * doc_rate[0]

    lines: list[PricedLine] = []
    tax_codes: dict[tuple[str, str], Any] = {}
    for (n, item, product, quantity, uom), price in zip(rows, prices, strict=True):
        config = configs[product.pk]
        chosen = item.options if item.options is not None else config.default_option_ids()
        check = check_configuration(config, list(chosen), field=f"lines[{n}].options")
        if not check.ok:
            for where, messages in check.errors.items():
                for message in messages:
                    fail(where, message, InvalidConfiguration)
        # Option deltas are in the company currency and per product unit.
        factor = (uom.factor / product.uom.factor) if uom.pk != product.uom_id else Decimal(1)
        unit_list = price.unit_price if price.currency == currency else to_document(price.unit_price)
        unit_list += to_document(check.price_delta)
        catalog_price = (unit_list * factor).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
        list_price = catalog_price
        if item.unit_price not in (None, ""):
            list_price = decimal_input(item.unit_price, f"lines[{n}].unit_price", places=4)
            if list_price < 0:
                fail(f"lines[{n}].unit_price", _("must not be negative"))
                continue
        discount = decimal_input(item.discount_percent or ZERO, f"lines[{n}].discount_percent", places=2)
        if discount < 0 or discount > 100:
            fail(f"lines[{n}].discount_percent", _("between 0 and 100"))
            continue
        unit_price = (list_price * (HUNDRED - discount) / HUNDRED).quantize(
            PRICE_PLACES, rounding=ROUND_HALF_UP
        )
        amount = quantize(quantity * unit_price, currency)
        unit_cost = (to_document(product.cost + check.cost_delta) * factor).quantize(
            PRICE_PLACES, rounding=ROUND_HALF_UP
        )
        # The code depends on the category and type only (the customer's situation is the
        # document's): asked once per kind of product on the document, not per line.
        tax_key = (product.tax_category, product.type)
        tax = tax_codes.get(tax_key)
        if tax is None:
            tax = tax_codes[tax_key] = tax_code_for(
                company,
                tax_category=product.tax_category,
                direction="sale",
                product_type=product.type,
                country=situation.country,
                vat_id=situation.vat_id,
            )
        role = REVENUE_ROLES.get(tax.kind, "revenue")
        if role == "revenue" and product.type == ProductType.SERVICE:
            role = "revenue_services"
        description = (item.description or "").strip() or product.name
        if check.summary and not item.description:
            description = f"{product.name} ({check.summary})"
        lines.append(
            PricedLine(
                line_no=len(lines) + 1,
                product=product,
                description=description[:500],
                quantity=quantity,
                uom=uom,
                list_price=list_price,
                catalog_price=catalog_price,
                discount_percent=discount,
                unit_price=unit_price,
                amount=amount,
                unit_cost=unit_cost,
                price_list_id=price.price_list_id,
                options=list(check.choices),
                option_summary=check.summary[:500],
                tax_code=tax.code,
                tax_rate=tax.rate,
                tax_kind=tax.kind,
                revenue_role=role,
            )
        )
    taxes = compute_taxes(company, [(ln.amount, ln.tax_code) for ln in lines], currency=currency)
    cost_total = sum((ln.cost_amount for ln in lines), ZERO)
    return Priced(lines=lines, taxes=taxes, cost_total=cost_total, errors=errors)
