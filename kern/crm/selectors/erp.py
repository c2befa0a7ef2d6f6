"""The customer 360's sections that the back office owns: quotes, orders, deliveries, invoices,
credit, revenue and margin, service tickets — read from those apps' public models with SQL
aggregates and limited lists, so the number of queries does not depend on the customer's size.

Each section stays empty ("none" on the page) while its app has no data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from kern.crm.selectors.pipeline import RateCache
from kern.inventory.models import Operation, OperationKind, OperationStatus
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    Quote,
    QuoteStatus,
    SalesOrder,
)
from kern.service.models import Ticket, TicketStatus

__all__ = ["DocumentLine", "fill"]

ZERO = Decimal("0")
LIMIT = 10
OPEN_QUOTES = [QuoteStatus.DRAFT, QuoteStatus.TO_APPROVE, QuoteStatus.APPROVED, QuoteStatus.SENT]
ON_THE_WAY = [OperationStatus.WAITING, OperationStatus.READY, OperationStatus.PICKED, OperationStatus.PACKED]
OPEN_TICKETS = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING]


@dataclass(frozen=True)
class DocumentLine:
    """One row of a document section: what it is (model label), when, how much, its state."""

    kind: str
    id: int
    number: str
    date: dt.date | None
    amount: Decimal | None
    currency: str
    status: str
    due: dt.date | None = None
    open_amount: Decimal | None = None
    overdue: bool = False
    url_label: str = ""


def _sum_in_base(rows: Any, field: str, rates: RateCache) -> Decimal:
    """Sum a per-currency aggregate (`values("currency_id").annotate(...)`) in company currency."""
    return sum((rates.to_base(row[field] or ZERO, row["currency_id"]) for row in rows), ZERO)


def fill(view: Any, party: Any) -> None:
    """Fill the back-office sections of `view` for `party`."""
    company_id = party.company_id
    today = timezone.localdate()
    rates = RateCache(party.company)

    quotes = Quote.objects.filter(company_id=company_id, customer=party, status__in=OPEN_QUOTES)
    view.open_quotes = [
        DocumentLine(
            "sales.quote",
            q.pk,
            q.number,
            q.quote_date,
            q.total,
            q.currency_id,
            q.get_status_display(),
            due=q.valid_until,
            overdue=q.valid_until < today,
        )
        for q in quotes.order_by("-quote_date", "-id")[:LIMIT]
    ]

    orders = SalesOrder.objects.filter(company_id=company_id, customer=party).exclude(
        status=OrderStatus.CANCELLED
    )
    view.orders = [
        DocumentLine(
            "sales.salesorder", o.pk, o.number, o.order_date, o.total, o.currency_id, o.get_status_display()
        )
        for o in orders.order_by("-order_date", "-id")[:LIMIT]
    ]
    order_dates = orders.exclude(status=OrderStatus.DRAFT).aggregate(
        first=Min("order_date"), last=Max("order_date")
    )
    view.last_order = order_dates["last"]

    deliveries = Operation.objects.filter(
        company_id=company_id, partner=party, kind=OperationKind.DELIVERY, status__in=ON_THE_WAY
    )
    view.deliveries_in_transit = [
        DocumentLine(
            "inventory.operation",
            d.pk,
            d.number,
            d.scheduled_date,
            None,
            "",
            d.get_status_display(),
            overdue=d.scheduled_date < today,
        )
        for d in deliveries.order_by("scheduled_date", "id")[:LIMIT]
    ]

    posted = Invoice.objects.filter(company_id=company_id, customer=party, status=InvoiceStatus.POSTED)
    open_invoices = posted.filter(kind=InvoiceKind.INVOICE, residual__gt=0)
    view.open_invoices = [
        DocumentLine(
            "sales.invoice",
            i.pk,
            i.number,
            i.invoice_date,
            i.total,
            i.currency_id,
            i.get_payment_status_display(),
            due=i.due_date,
            open_amount=i.residual,
            overdue=bool(i.due_date and i.due_date < today),
        )
        for i in open_invoices.order_by("due_date", "id")[:LIMIT]
    ]
    by_currency = list(
        open_invoices.values("currency_id").annotate(
            open=Sum("residual"),
            overdue=Sum("residual", filter=Q(due_date__lt=today)),
            overdue_n=Count("id", filter=Q(due_date__lt=today)),
        )
    )
    view.open_amount = _sum_in_base(by_currency, "open", rates)
    view.overdue_amount = _sum_in_base(by_currency, "overdue", rates)
    view.overdue_count = sum(row["overdue_n"] for row in by_currency)

    # Credit used: what the customer owes on posted invoices plus confirmed orders not invoiced yet.
    uninvoiced = list(
        orders.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.BLOCKED])
        .values("currency_id")
        .annotate(rest=Sum(F("total") - F("invoiced_total")))
    )
    view.credit_used = view.open_amount + _sum_in_base(uninvoiced, "rest", rates)

    # Revenue net of VAT, credit notes subtracted; margin = revenue minus the cost of what was sold.
    revenue = list(
        posted.values("currency_id").annotate(
            net=Sum("net_total", filter=Q(kind=InvoiceKind.INVOICE)),
            credited=Sum("net_total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
        )
    )
    view.lifetime_revenue = _sum_in_base(revenue, "net", rates) - _sum_in_base(revenue, "credited", rates)
    sold = list(
        orders.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.DONE], invoiced_total__gt=0)
        .values("currency_id")
        .annotate(cost=Sum("cost_total"))
    )
    view.gross_margin = view.lifetime_revenue - _sum_in_base(sold, "cost", rates) if revenue else None
    first_invoice = posted.aggregate(first=Min("invoice_date"))["first"]
    firsts = [d for d in (order_dates["first"], first_invoice) if d is not None]
    view.customer_since = min(firsts) if firsts else None

    tickets = Ticket.objects.filter(company_id=company_id, customer=party, status__in=OPEN_TICKETS)
    now = timezone.now()
    view.open_tickets = [
        DocumentLine(
            "service.ticket",
            t.pk,
            f"{t.number} {t.subject}",
            timezone.localtime(t.created_at).date() if getattr(t, "created_at", None) else None,
            None,
            "",
            f"{t.get_status_display()} · {t.get_priority_display()}",
            due=timezone.localtime(t.resolution_due).date() if t.resolution_due else None,
            overdue=bool(t.resolution_due and t.resolution_due < now),
        )
        for t in tickets.order_by("resolution_due", "id")[:LIMIT]
    ]
