"""Which VAT code applies, and how much VAT a document carries.

The rounding rule (docs/design.md): VAT is computed **per document per tax code**: the net
amounts of all lines with the same code are added up, multiplied by the rate and rounded once,
half up, to the currency's minor unit. Lines are never rounded one by one, so an invoice of
three lines of 0.05 at 21 % carries 0.03 VAT (0.15 × 21 %), not 0.03 (3 × 0.01).
With prices including VAT the gross per code is split once: VAT = gross × rate / (100 + rate),
rounded half up; net = gross − VAT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kern.core.money import quantize, to_decimal
from kern.ledger.data.charts import EU_COUNTRIES
from kern.ledger.exceptions import UnknownTaxCode
from kern.ledger.models import TaxCode, TaxDirection, TaxKind
from kern.ledger.selectors.config import BooksConfig, TaxInfo, config_for
from kern.ledger.specs import LineSpec

__all__ = [
    "TaxAmount",
    "TaxComputation",
    "TaxableLine",
    "compute_taxes",
    "party_tax_situation",
    "tax_code_for",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
_GOODS = {"stocked", "consumable", "goods"}
# The choices' values as a set: Django's `Choices.values` builds a new list at every call.
_DIRECTIONS = frozenset(TaxDirection.values)


@dataclass(frozen=True)
class TaxableLine:
    amount: Decimal  # net (or gross when prices include tax), in the document currency
    tax_code: str


@dataclass(frozen=True)
class TaxAmount:
    tax_code: str
    name: str
    direction: str
    rate: Decimal
    base: Decimal
    tax: Decimal
    account: str  # account code the tax goes to (owed for sales and self-assessment, input VAT for purchases)
    deductible_account: str  # self-assessed codes: where the deductible half goes
    base_box: str
    tax_box: str
    deductible_box: str

    @property
    def is_self_assessed(self) -> bool:
        return bool(self.deductible_account)


@dataclass(frozen=True)
class TaxComputation:
    currency: str
    taxes: tuple[TaxAmount, ...]
    net_total: Decimal
    tax_total: Decimal  # what the customer pays on top (self-assessed VAT is not charged)
    gross_total: Decimal

    def for_code(self, code: str) -> TaxAmount | None:
        return next((t for t in self.taxes if t.tax_code == code), None)

    def line_specs(self, *, credit_note: bool = False, description: str = "") -> list[Any]:
        """The VAT lines to post with the document (the caller adds the base and party lines).

        A sale credits the output VAT account, a purchase debits input VAT; a self-assessed code
        posts both sides (owed and deductible), which net to nil. A credit note swaps the sides.
        """
        specs: list[LineSpec] = []
        for tax in self.taxes:
            if not tax.tax or not tax.account:
                continue
            text = description or tax.name
            owes = tax.is_self_assessed or tax.direction == TaxDirection.SALE
            first_debit = not owes
            if credit_note:
                first_debit = not first_debit
            amount = tax.tax
            specs.append(
                LineSpec(
                    account=tax.account,
                    debit=amount if first_debit else ZERO,
                    credit=ZERO if first_debit else amount,
                    tax_code=tax.tax_code,
                    description=text,
                )
            )
            if tax.is_self_assessed:
                specs.append(
                    LineSpec(
                        account=tax.deductible_account,
                        debit=ZERO if first_debit else amount,
                        credit=amount if first_debit else ZERO,
                        tax_code=tax.tax_code,
                        description=text,
                    )
                )
        return specs


def _info(cfg: BooksConfig, code: str) -> TaxInfo:
    tax = cfg.taxes_by_code.get(code)
    if tax is None or not tax.is_active:
        raise UnknownTaxCode(
            "tax_code: " + _("there is no active tax code %(code)r") % {"code": code},
            errors={"tax_code": [_("unknown tax code %(code)r") % {"code": code}]},
        )
    return tax


def compute_taxes(
    company: Any,
    lines: Iterable[TaxableLine | tuple[Decimal, str]],
    *,
    currency: str | None = None,
    prices_include_tax: bool = False,
) -> TaxComputation:
    """VAT of a document: per tax code, rounded once, half up (see the module docstring)."""
    cfg = config_for(company)
    currency = currency or getattr(company, "base_currency_id", None) or "EUR"
    totals: dict[str, Decimal] = {}
    order: list[str] = []
    for line in lines:
        amount, code = (line.amount, line.tax_code) if isinstance(line, TaxableLine) else line
        amount = to_decimal(amount)
        _info(cfg, code)
        if code not in totals:
            totals[code] = ZERO
            order.append(code)
        totals[code] += amount
    taxes: list[TaxAmount] = []
    for code in order:
        info = _info(cfg, code)
        amount = totals[code]
        if prices_include_tax and not info.deductible_account_id:  # self-assessed VAT is never in the price
            tax = quantize(amount * info.rate / (HUNDRED + info.rate), currency)
            base = quantize(amount, currency) - tax
        else:
            base = quantize(amount, currency)
            tax = quantize(base * info.rate / HUNDRED, currency)
        taxes.append(
            TaxAmount(
                tax_code=code,
                name=info.name,
                direction=info.direction,
                rate=info.rate,
                base=base,
                tax=tax,
                account=cfg.accounts_by_id[info.account_id].code if info.account_id else "",
                deductible_account=(
                    cfg.accounts_by_id[info.deductible_account_id].code if info.deductible_account_id else ""
                ),
                base_box=info.base_box,
                tax_box=info.tax_box,
                deductible_box=info.deductible_box,
            )
        )
    net = sum((t.base for t in taxes), ZERO)
    charged = sum((t.tax for t in taxes if not t.is_self_assessed), ZERO)
    return TaxComputation(
        currency=currency,
        taxes=tuple(taxes),
        net_total=net,
        tax_total=charged,
        gross_total=net + charged,
    )


@dataclass(frozen=True)
class PartySituation:
    country: str
    vat_id: str
    in_eu: bool
    domestic: bool


def party_tax_situation(
    company: Any, party: Any = None, *, country: str | None = None, vat_id: str | None = None
) -> PartySituation:
    """Where the party is for VAT: its billing country (default address) and VAT id."""
    home = str(getattr(company, "country", "NL") or "NL")
    if party is not None and country is None:
        address = (
            party.addresses.order_by("-is_default", "kind", "id").values_list("country", flat=True).first()
            if hasattr(party, "addresses")
            else None
        )
        country = str(address) if address else ""
        if not country and getattr(party, "vat_id", ""):
            country = party.vat_id[:2].upper()
    if vat_id is None:
        vat_id = getattr(party, "vat_id", "") if party is not None else ""
    country = (country or home).upper()
    return PartySituation(
        country=country, vat_id=vat_id or "", in_eu=country in EU_COUNTRIES, domestic=country == home
    )


_DOMESTIC = {
    ("sale", "standard"): TaxKind.STANDARD,
    ("sale", "reduced"): TaxKind.REDUCED,
    ("sale", "zero"): TaxKind.ZERO,
    ("sale", "exempt"): TaxKind.EXEMPT,
    ("purchase", "standard"): TaxKind.STANDARD,
    ("purchase", "reduced"): TaxKind.REDUCED,
    ("purchase", "zero"): TaxKind.ZERO,
    ("purchase", "exempt"): TaxKind.EXEMPT,
}


def _pick(cfg: BooksConfig, direction: str, kind: str, *, prefer_goods: bool | None = None) -> TaxInfo:
    candidates = sorted(
        (t for t in cfg.taxes_by_id.values() if t.is_active and t.direction == direction and t.kind == kind),
        key=lambda t: (
            t.base_box == "" if kind == TaxKind.EXPORT and prefer_goods else t.base_box != "",
            t.code,
        ),
    )
    if kind == TaxKind.IMPORT and prefer_goods is not None:
        # IIMP (goods, art. 23) before IIMD (services): the code's name says which.
        goods = [t for t in candidates if ("goed" in t.name.lower() or "goods" in t.name.lower())]
        services = [t for t in candidates if t not in goods]
        candidates = (goods + services) if prefer_goods else (services + goods)
    if not candidates:
        raise UnknownTaxCode(
            "tax_code: "
            + _("the company has no active %(direction)s tax code of kind %(kind)s")
            % {"direction": direction, "kind": kind},
            errors={
                "tax_code": [
                    _("no %(direction)s code of kind %(kind)s") % {"direction": direction, "kind": kind}
                ]
            },
        )
    return candidates[0]


def tax_code_for(
    company: Any,
    *,
    tax_category: str,
    party: Any = None,
    direction: str,
    product_type: str = "stocked",
    country: str | None = None,
    vat_id: str | None = None,
) -> TaxCode:
    """The VAT code for a line: from the product's tax category and the party's situation.

    Domestic (or a consumer elsewhere in the EU): the rate of the category. A business in another
    EU country (it has a VAT id): intra-EU supply / acquisition of goods or services. Outside the
    EU: export (sales) or import (purchases). Exempt stays exempt everywhere.
    """
    if direction not in _DIRECTIONS:
        raise UnknownTaxCode(
            "direction: " + _("%(direction)r is neither sale nor purchase") % {"direction": direction},
            errors={"direction": [_("sale or purchase")]},
        )
    cfg = config_for(company)
    situation = party_tax_situation(company, party, country=country, vat_id=vat_id)
    goods = product_type in _GOODS
    category = tax_category if (direction, tax_category) in _DOMESTIC else None
    if category is None:
        raise UnknownTaxCode(
            "tax_category: " + _("unknown tax category %(category)r") % {"category": tax_category},
            errors={"tax_category": [_("unknown")]},
        )
    if tax_category == "exempt" or situation.domestic:
        kind = _DOMESTIC[(direction, tax_category)]
    elif situation.in_eu:
        if situation.vat_id:
            kind = TaxKind.INTRA_EU_GOODS if goods else TaxKind.INTRA_EU_SERVICES
        else:
            kind = _DOMESTIC[
                (direction, tax_category)
            ]  # a consumer: domestic VAT (distance-sales threshold not modelled)
    else:
        kind = TaxKind.EXPORT if direction == TaxDirection.SALE else TaxKind.IMPORT
    return _as_model(cfg, _pick(cfg, direction, kind, prefer_goods=goods))


def _as_model(cfg: BooksConfig, info: TaxInfo) -> TaxCode:
    # Built from the cached settings: callers ask per invoice line, and this costs no query.
    tax = TaxCode(
        id=info.id,
        company_id=cfg.company_id,
        code=info.code,
        name=info.name,
        direction=info.direction,
        kind=info.kind,
        rate=info.rate,
        account_id=info.account_id,
        deductible_account_id=info.deductible_account_id,
        base_box=info.base_box,
        tax_box=info.tax_box,
        deductible_box=info.deductible_box,
        is_active=info.is_active,
    )
    tax._state.adding = False
    tax._state.db = "default"
    return tax
