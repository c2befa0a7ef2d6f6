"""Sales targets and their attainment from invoiced revenue (posted invoices carrying the rep)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from kern.crm.models import SalesTarget
from kern.crm.selectors.pipeline import RateCache
from kern.sales.models import Invoice, InvoiceKind, InvoiceStatus

__all__ = ["Attainment", "attainment_of", "invoiced_revenue"]

ZERO = Decimal("0")


def invoiced_revenue(company: Any, user: Any, start: Any, end: Any) -> Decimal:
    """Net revenue (credit notes subtracted) of the posted invoices of `user` dated start..end, in
    company currency."""
    rows = (
        Invoice.objects.filter(
            company=company,
            sales_rep=user,
            status=InvoiceStatus.POSTED,
            invoice_date__gte=start,
            invoice_date__lte=end,
        )
        .values("currency_id")
        .annotate(
            net=Sum("net_total", filter=Q(kind=InvoiceKind.INVOICE)),
            credited=Sum("net_total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
        )
    )
    rates = RateCache(company)
    return sum(
        (rates.to_base((r["net"] or ZERO) - (r["credited"] or ZERO), r["currency_id"]) for r in rows), ZERO
    )


@dataclass(frozen=True)
class Attainment:
    target: SalesTarget
    invoiced: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.target.amount:
            return None
        return (self.invoiced * 100 / self.target.amount).quantize(Decimal("0.1"))


def attainment_of(target: SalesTarget) -> Attainment:
    return Attainment(target, invoiced_revenue(target.company, target.user_id, target.start, target.end))
