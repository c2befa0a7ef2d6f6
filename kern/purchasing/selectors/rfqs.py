"""The comparison of the answers to an RFQ: per line every vendor's offer, the best one marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kern.core.money import quantize
from kern.core.selectors import MissingExchangeRate, rate_on
from kern.purchasing.models import Rfq, RfqLine, RfqQuote, RfqVendor, RfqVendorStatus

__all__ = ["Comparison", "ComparisonLine", "Offer", "VendorTotal", "rfq_comparison"]

ZERO = Decimal("0")


@dataclass(frozen=True)
class Offer:
    invitation_id: int
    vendor_id: int
    vendor: str
    unit_price: Decimal
    currency: str
    quantity: Decimal
    lead_time_days: int
    amount: Decimal  # in the offer's currency
    amount_company: Decimal | None  # None: no exchange rate
    note: str
    awarded: bool


@dataclass
class ComparisonLine:
    line: RfqLine
    offers: list[Offer] = field(default_factory=list)
    best: Offer | None = None


@dataclass(frozen=True)
class VendorTotal:
    invitation: RfqVendor
    lines_quoted: int
    amount_company: Decimal | None
    longest_lead_time: int | None


@dataclass
class Comparison:
    rfq: Rfq
    currency: str
    invitations: list[RfqVendor]
    lines: list[ComparisonLine]
    totals: list[VendorTotal]

    @property
    def best_total(self) -> VendorTotal | None:
        """The cheapest vendor quoting every line, if any."""
        complete = [
            t for t in self.totals if t.lines_quoted == len(self.lines) and t.amount_company is not None
        ]
        return min(complete, key=lambda t: (t.amount_company, t.longest_lead_time or 0), default=None)


def rfq_comparison(rfq: Rfq) -> Comparison:
    """Every answer side by side, in the company currency; per line the best is the lowest price
    for the full quantity, then the shortest lead time."""
    company = rfq.company
    base = company.base_currency_id
    invitations = list(rfq.vendors.select_related("vendor").order_by("id"))
    lines = list(rfq.lines.select_related("product", "uom").order_by("position", "id"))
    quotes = list(
        RfqQuote.objects.filter(rfq_vendor__rfq=rfq).select_related("rfq_vendor__vendor").order_by("id")
    )
    rates: dict[str, Decimal | None] = {}

    def rate(currency: str) -> Decimal | None:
        if currency not in rates:
            try:
                rates[currency] = rate_on(
                    currency,
                    base,
                    rfq.sent_at.date() if rfq.sent_at else rfq.created_at.date(),
                    company=company,
                )
            except MissingExchangeRate:
                rates[currency] = None
        return rates[currency]

    by_line: dict[int, ComparisonLine] = {ln.pk: ComparisonLine(ln) for ln in lines}
    totals: dict[int, list[Any]] = {i.pk: [0, ZERO, None] for i in invitations}
    for q in quotes:
        invitation = q.rfq_vendor
        currency = invitation.currency_id or rfq.currency_id
        amount = quantize(q.unit_price * q.quantity, currency)
        r = rate(currency)
        amount_company = quantize(amount * r, base) if r is not None else None
        offer = Offer(
            invitation_id=invitation.pk,
            vendor_id=invitation.vendor_id,
            vendor=invitation.vendor.name,
            unit_price=q.unit_price,
            currency=currency,
            quantity=q.quantity,
            lead_time_days=q.lead_time_days,
            amount=amount,
            amount_company=amount_company,
            note=q.note,
            awarded=q.awarded,
        )
        by_line[q.line_id].offers.append(offer)
        total = totals[invitation.pk]
        total[0] += 1
        total[1] = None if (total[1] is None or amount_company is None) else total[1] + amount_company
        total[2] = max(total[2] or 0, q.lead_time_days)
    for row in by_line.values():
        full = [o for o in row.offers if o.quantity >= row.line.quantity and o.amount_company is not None]
        pool = full or [o for o in row.offers if o.amount_company is not None]

        def unit_company(o: Offer) -> Decimal:
            return o.amount_company / o.quantity if o.quantity else o.amount_company

        row.best = min(pool, key=lambda o: (unit_company(o), o.lead_time_days, o.vendor), default=None)
    vendor_totals = [
        VendorTotal(i, totals[i.pk][0], totals[i.pk][1] if totals[i.pk][0] else None, totals[i.pk][2])
        for i in invitations
        if i.status != RfqVendorStatus.DECLINED
    ]
    return Comparison(rfq, base, invitations, [by_line[ln.pk] for ln in lines], vendor_totals)
