"""Reads of sales: the credit position, what an order can still invoice, lists and search."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from kern.payments.selectors import credit_used
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    Quote,
    SalesOrder,
)

__all__ = [
    "CreditPosition",
    "credit_position",
    "invoiced_revenue",
    "invoices_of",
    "open_order_amount",
    "open_receivables",
    "orders_of",
    "pdf_for",
    "quotes_of",
    "search_invoices",
    "search_orders",
    "search_quotes",
    "ubl_for",
]

ZERO = Decimal("0")


@dataclass(frozen=True)
class CreditPosition:
    """The customer's credit: limit (0 = none), what is owed, what is ordered and not invoiced."""

    limit: Decimal
    receivables: Decimal
    open_orders: Decimal

    @property
    def used(self) -> Decimal:
        return self.receivables + self.open_orders

    @property
    def available(self) -> Decimal | None:
        return self.limit - self.used if self.limit else None

    def exceeded_by(self, amount: Decimal) -> bool:
        return bool(self.limit) and self.used + amount > self.limit


def open_receivables(customer: Any) -> Decimal:
    """What the customer owes now, net of unapplied credit (company currency): the subledger's
    open receivable items — invoices, credit notes, dunning fees, opening balances."""
    return Decimal(credit_used(customer.company_id, customer)).quantize(Decimal("0.01"))


def open_order_amount(customer: Any, *, exclude_order: Any = None) -> Decimal:
    """Confirmed orders' amounts not yet invoiced (incl. VAT)."""
    qs = SalesOrder.objects.filter(
        company_id=customer.company_id, customer_id=customer.pk, status=OrderStatus.CONFIRMED
    )
    if exclude_order is not None and getattr(exclude_order, "pk", None):
        qs = qs.exclude(pk=exclude_order.pk)
    value = qs.aggregate(v=Sum(F("total") - F("invoiced_total")))["v"]
    return Decimal(value or 0).quantize(Decimal("0.01"))


def credit_position(customer: Any, *, exclude_order: Any = None) -> CreditPosition:
    return CreditPosition(
        limit=Decimal(customer.credit_limit or 0).quantize(Decimal("0.01")),
        receivables=open_receivables(customer),
        open_orders=open_order_amount(customer, exclude_order=exclude_order),
    )


def quotes_of(company: Any) -> QuerySet[Quote]:
    return Quote.objects.filter(company_id=getattr(company, "pk", company))


def orders_of(company: Any) -> QuerySet[SalesOrder]:
    return SalesOrder.objects.filter(company_id=getattr(company, "pk", company))


def invoices_of(company: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(company_id=getattr(company, "pk", company))


def _search(qs: QuerySet, text: str, limit: int) -> QuerySet:
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(customer__name__icontains=text))
    return qs.select_related("customer").order_by("-id")[:limit]


def search_quotes(company: Any, text: str, *, limit: int = 10) -> QuerySet[Quote]:
    return _search(quotes_of(company), text, limit)


def search_orders(company: Any, text: str, *, limit: int = 10) -> QuerySet[SalesOrder]:
    return _search(orders_of(company), text, limit)


def search_invoices(company: Any, text: str, *, limit: int = 10) -> QuerySet[Invoice]:
    return _search(invoices_of(company).exclude(number=""), text, limit)


def ubl_for(invoice: Invoice) -> bytes:
    """The posted invoice or credit note as a Peppol BIS Billing 3.0 UBL document (see `ubl`)."""
    from kern.sales.ubl import ubl_invoice

    return ubl_invoice(invoice)


def invoiced_revenue(customer: Any, *, since: Any, until: Any) -> Decimal:
    """Net revenue invoiced to the customer from `since` to `until` (posted invoices less credit
    notes, in company currency): the service desk derives a customer's tier from it."""
    rows = (
        Invoice.objects.filter(
            company_id=customer.company_id,
            customer_id=customer.pk,
            status=InvoiceStatus.POSTED,
            invoice_date__gte=since,
            invoice_date__lte=until,
        )
        .exclude(total=0)
        .values("kind")
        .annotate(net=Sum(F("net_total") * F("total_company") / F("total")))
    )
    total = ZERO
    for row in rows:
        value = Decimal(row["net"] or 0)
        total += -value if row["kind"] == InvoiceKind.CREDIT_NOTE else value
    return total.quantize(Decimal("0.01"))


def pdf_for(doc: Quote | SalesOrder | Invoice) -> tuple[str, bytes]:
    """(file name, PDF) of a quote, order, invoice or credit note, as the customer receives it."""
    from kern.sales.printing import pdf_name, render_pdf

    return pdf_name(doc), render_pdf(doc)
