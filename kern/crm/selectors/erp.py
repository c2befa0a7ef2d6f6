"""The customer 360's sections that the back office owns: quotes, orders, deliveries, invoices,
credit (sales' own credit position), last payments, revenue and margin, service tickets — read from those apps' public models with SQL
aggregates and limited lists, so the number of queries does not depend on the customer's size.

Each section stays empty ("none" on the page) while its app has no data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from kern.crm.selectors.pipeline import RateCache
from kern.inventory.models import Operation, OperationKind, OperationStatus
from kern.payments.models import Payment, PaymentDirection
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    Quote,
    QuoteStatus,
    SalesOrder,
)
from kern.sales.selectors import credit_position
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
    """Fill the back-office sections of `view` for `party`: ten queries whatever its size."""
    company_id = party.company_id
    today = timezone.localdate()
    rates = RateCache(party.company)

    quotes = Quote.objects.filter(company_id=company_id, customer_id=party.pk, status__in=OPEN_QUOTES)
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
        for q in quotes.only(
            "id", "number", "quote_date", "total", "currency_id", "status", "valid_until"
        ).order_by("-quote_date", "-id")[:LIMIT]
    ]

    orders = SalesOrder.objects.filter(company_id=company_id, customer_id=party.pk).exclude(
        status=OrderStatus.CANCELLED
    )
    view.orders = [
        DocumentLine(
            "sales.salesorder", o.pk, o.number, o.order_date, o.total, o.currency_id, o.get_status_display()
        )
        for o in orders.only("id", "number", "order_date", "total", "currency_id", "status").order_by(
            "-order_date", "-id"
        )[:LIMIT]
    ]
    # One aggregate per currency: first and last order, the cost of what was invoiced (margin).
    placed = ~Q(status=OrderStatus.DRAFT)
    order_figures = list(
        orders.values("currency_id")
        .annotate(
            first=Min("order_date", filter=placed),
            last=Max("order_date", filter=placed),
            cost=Sum(
                "cost_total",
                filter=Q(status__in=[OrderStatus.CONFIRMED, OrderStatus.DONE], invoiced_total__gt=0),
            ),
        )
        .order_by()
    )
    view.last_order = max((r["last"] for r in order_figures if r["last"]), default=None)

    deliveries = Operation.objects.filter(
        company_id=company_id, partner_id=party.pk, kind=OperationKind.DELIVERY, status__in=ON_THE_WAY
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
        for d in deliveries.only("id", "number", "scheduled_date", "status").order_by("scheduled_date", "id")[
            :LIMIT
        ]
    ]

    posted = Invoice.objects.filter(company_id=company_id, customer_id=party.pk, status=InvoiceStatus.POSTED)
    is_open = Q(kind=InvoiceKind.INVOICE, residual__gt=0)
    is_overdue = is_open & Q(due_date__lt=today)
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
        for i in posted.filter(is_open)
        .only(
            "id", "number", "invoice_date", "total", "currency_id", "payment_status", "due_date", "residual"
        )
        .order_by("due_date", "id")[:LIMIT]
    ]
    # One aggregate per currency: open and overdue, revenue net of VAT less credit notes, first.
    invoice_figures = list(
        posted.values("currency_id")
        .annotate(
            open=Sum("residual", filter=is_open),
            overdue=Sum("residual", filter=is_overdue),
            overdue_n=Count("id", filter=is_overdue),
            net=Sum("net_total", filter=Q(kind=InvoiceKind.INVOICE)),
            credited=Sum("net_total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
            first=Min("invoice_date"),
        )
        .order_by()
    )
    view.open_amount = _sum_in_base(invoice_figures, "open", rates)
    view.overdue_amount = _sum_in_base(invoice_figures, "overdue", rates)
    view.overdue_count = sum(row["overdue_n"] for row in invoice_figures)

    # Credit as sales checks it when an order is confirmed (one definition, two queries).
    position = credit_position(party)
    view.credit_limit = position.limit
    view.credit_receivables = position.receivables
    view.credit_open_orders = position.open_orders
    view.credit_used = position.used

    view.lifetime_revenue = _sum_in_base(invoice_figures, "net", rates) - _sum_in_base(
        invoice_figures, "credited", rates
    )
    view.gross_margin = (
        view.lifetime_revenue - _sum_in_base(order_figures, "cost", rates) if invoice_figures else None
    )
    firsts = [r["first"] for r in (*order_figures, *invoice_figures) if r["first"] is not None]
    view.customer_since = min(firsts) if firsts else None

    payments = Payment.objects.filter(
        company_id=company_id, party_id=party.pk, direction=PaymentDirection.INCOMING
    )
    view.last_payments = [
        DocumentLine(
            "payments.payment",
            p.pk,
            p.number,
            p.date,
            p.amount,
            p.currency_id,
            p.get_status_display(),
            open_amount=p.unallocated or None,
        )
        for p in payments.only(
            "id", "number", "date", "amount", "currency_id", "status", "unallocated"
        ).order_by("-date", "-id")[:LIMIT]
    ]

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
