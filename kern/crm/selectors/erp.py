"""The customer 360's sections that the back office owns: quotes, orders, deliveries, invoices,
credit (sales' own credit position), last payments, revenue and margin, service tickets — read
from those apps' public models.

Two queries whatever the customer's size: the six document lists as one UNION ALL (each list the
ten rows its section shows), and the figures (per currency: open and overdue invoices, revenue,
cost, open orders, receivables; first and last dates) as branches of another, to which the 360
adds its pipeline. Rows come back as tuples, never as model instances: the page shows a few
fields of each. Both are `Prepared`: the ORM builds their SQL once per process.

Each section stays empty ("none" on the page) while its app has no data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from kern.core.prepared import Prepared
from kern.crm.selectors.pipeline import RateCache
from kern.inventory.models import Operation, OperationKind, OperationStatus
from kern.payments.models import OpenItem, OpenItemKind, OpenItemStatus, Payment, PaymentDirection
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

__all__ = [
    "SECTIONS",
    "DocumentLine",
    "Section",
    "decimal",
    "documents",
    "figure_branches",
    "fill",
    "money",
    "read_figures",
]

ZERO = Decimal("0")
CENT = Decimal("0.01")
LIMIT = 10
OPEN_QUOTES = [QuoteStatus.DRAFT, QuoteStatus.TO_APPROVE, QuoteStatus.APPROVED, QuoteStatus.SENT]
ON_THE_WAY = [OperationStatus.WAITING, OperationStatus.READY, OperationStatus.PICKED, OperationStatus.PACKED]
OPEN_TICKETS = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING]

QUOTE, ORDER, DELIVERY, INVOICE, PAYMENT, TICKET = (
    "sales.quote",
    "sales.salesorder",
    "inventory.operation",
    "sales.invoice",
    "payments.payment",
    "service.ticket",
)

_AMOUNT = DecimalField(max_digits=30, decimal_places=4)


def _null(output_field: Any) -> Cast:
    # PostgreSQL types an untyped NULL in a UNION branch as text, then cannot match it with a date.
    return Cast(Value(None), output_field)


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def decimal(value: Any) -> Decimal:
    """An aggregate or UNION column as a Decimal (None is 0; SQLite may hand back a float)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value: Any) -> Decimal:
    """An amount to the cent, as the 2-place columns hold it."""
    return decimal(value).quantize(CENT) + ZERO


def _maybe_money(value: Any) -> Decimal | None:
    return None if value is None else money(value)


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


# --- the document lists: one UNION ALL of six branches ------------------------------------------

# Every branch selects kind, id and these columns in this order; what a document lacks is '' or a
# typed NULL.
_DOCUMENT_COLUMNS = (
    ("number", CharField()),
    ("date", DateField()),
    ("amount", _AMOUNT),
    ("currency", CharField()),
    ("status", CharField()),
    ("due", DateField()),
    ("open_amount", _AMOUNT),
    ("subject", CharField()),
    ("priority", CharField()),
    ("due_at", DateTimeField()),
)


def _first(rows: QuerySet, *order: Any) -> QuerySet:
    """The first LIMIT rows of `rows` in `order`, as a filter on their ids: SQLite allows no
    ORDER BY or LIMIT inside a UNION branch, but does inside an IN subquery. `documents` sorts
    them again in Python."""
    return rows.model.objects.filter(pk__in=rows.order_by(*order).values("pk")[:LIMIT])


def _branch(kind: str, rows: QuerySet, **columns: Any) -> QuerySet:
    values = [_text(kind), F("pk")]
    for name, output_field in _DOCUMENT_COLUMNS:
        given = columns.get(name)
        if given is None:
            values.append(_text("") if isinstance(output_field, CharField) else _null(output_field))
        else:
            values.append(F(given) if isinstance(given, str) else given)
    return rows.order_by().values_list(*values)


def _document_lists(shape: tuple[()], *, company_id: int, party_id: int) -> QuerySet:
    mine = {"company_id": company_id}
    quotes = Quote.objects.filter(**mine, customer_id=party_id, status__in=OPEN_QUOTES)
    orders = SalesOrder.objects.filter(**mine, customer_id=party_id).exclude(status=OrderStatus.CANCELLED)
    deliveries = Operation.objects.filter(
        **mine, partner_id=party_id, kind=OperationKind.DELIVERY, status__in=ON_THE_WAY
    )
    invoices = Invoice.objects.filter(
        **mine, customer_id=party_id, status=InvoiceStatus.POSTED, kind=InvoiceKind.INVOICE, residual__gt=0
    )
    payments = Payment.objects.filter(**mine, party_id=party_id, direction=PaymentDirection.INCOMING)
    tickets = Ticket.objects.filter(**mine, customer_id=party_id, status__in=OPEN_TICKETS)
    branches = [
        _branch(
            QUOTE,
            _first(quotes, "-quote_date", "-id"),
            number="number",
            date="quote_date",
            amount="total",
            currency="currency_id",
            status="status",
            due="valid_until",
        ),
        _branch(
            ORDER,
            _first(orders, "-order_date", "-id"),
            number="number",
            date="order_date",
            amount="total",
            currency="currency_id",
            status="status",
        ),
        _branch(
            DELIVERY,
            _first(deliveries, "scheduled_date", "id"),
            number="number",
            date="scheduled_date",
            status="status",
        ),
        _branch(
            INVOICE,
            _first(invoices, F("due_date").asc(nulls_last=True), "id"),
            number="number",
            date="invoice_date",
            amount="total",
            currency="currency_id",
            status="payment_status",
            due="due_date",
            open_amount="residual",
        ),
        _branch(
            PAYMENT,
            _first(payments, "-date", "-id"),
            number="number",
            date="date",
            amount="amount",
            currency="currency_id",
            status="status",
            open_amount="unallocated",
        ),
        _branch(
            TICKET,
            _first(tickets, F("resolution_due").asc(nulls_last=True), "id"),
            number="number",
            date=TruncDate("created_at"),  # the day it was opened, in the local time zone
            status="status",
            subject="subject",
            priority="priority",
            due_at="resolution_due",
        ),
    ]
    return branches[0].union(*branches[1:], all=True)


_DOCUMENTS = Prepared(_document_lists)


def _labels(model: type[Model], field: str) -> dict[str, str]:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _late_last(value: Any) -> tuple[bool, Any]:
    """Sort key for ascending with NULLs last, as the SQL (`nulls_last=True`) picks them."""
    return (value is None, value)


def documents(party: Any, today: dt.date) -> dict[str, list[DocumentLine]]:
    """The document sections of `party`, ten rows each, read in one query."""
    now = timezone.now()
    rows: dict[str, list[tuple]] = defaultdict(list)
    for row in _DOCUMENTS.rows(company_id=party.company_id, party_id=party.pk):
        rows[row[0]].append(row)

    quote_status = _labels(Quote, "status")
    order_status = _labels(SalesOrder, "status")
    delivery_status = _labels(Operation, "status")
    invoice_status = _labels(Invoice, "payment_status")
    payment_status = _labels(Payment, "status")
    ticket_status, ticket_priority = _labels(Ticket, "status"), _labels(Ticket, "priority")

    def line(row: tuple, labels: dict[str, str], **extra: Any) -> DocumentLine:
        kind, pk, number, date, amount, currency, status, due, open_amount = row[:9]
        return DocumentLine(
            kind,
            pk,
            number,
            date,
            _maybe_money(amount),
            currency,
            labels.get(status, status),
            due=extra.pop("due", due),
            open_amount=extra.pop("open_amount", _maybe_money(open_amount)),
            **extra,
        )

    def newest_first(kind: str) -> list[tuple]:
        return sorted(rows[kind], key=lambda r: (r[3], r[1]), reverse=True)

    def ticket(row: tuple) -> DocumentLine:
        subject, priority, due_at = row[9:12]
        status = f"{ticket_status.get(row[6], row[6])} · {ticket_priority.get(priority, priority)}"
        return DocumentLine(
            TICKET,
            row[1],
            f"{row[2]} {subject}",
            row[3],
            None,
            "",
            status,
            due=timezone.localtime(due_at).date() if due_at else None,
            overdue=bool(due_at and due_at < now),
        )

    return {
        "open_quotes": [
            line(r, quote_status, overdue=bool(r[7] and r[7] < today)) for r in newest_first(QUOTE)
        ],
        "orders": [line(r, order_status) for r in newest_first(ORDER)],
        "deliveries_in_transit": [
            line(r, delivery_status, overdue=r[3] < today)
            for r in sorted(rows[DELIVERY], key=lambda r: (r[3], r[1]))
        ],
        "open_invoices": [
            line(r, invoice_status, overdue=bool(r[7] and r[7] < today))
            for r in sorted(rows[INVOICE], key=lambda r: (_late_last(r[7]), r[1]))
        ],
        "last_payments": [
            line(r, payment_status, open_amount=money(r[8]) or None) for r in newest_first(PAYMENT)
        ],
        "open_tickets": [ticket(r) for r in sorted(rows[TICKET], key=lambda r: (_late_last(r[11]), r[1]))],
    }


# --- the figures: per-currency aggregates of several tables in one UNION ALL --------------------


# --- the figures: per-currency aggregates of several tables in one UNION ALL --------------------


@dataclass(frozen=True)
class Section:
    """One branch of the figures query: a table's aggregates per currency. Every branch has the
    same columns — section, currency, four amounts, two dates, a count — so that they make one
    UNION ALL; a section names the slots it fills, in order, and leaves the others NULL."""

    name: str
    amounts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()

    SLOTS: ClassVar = (("amounts", _AMOUNT, 4), ("dates", DateField(), 2), ("counts", IntegerField(), 1))

    def names(self) -> list[str]:
        """The figure in each slot ("" for an empty one)."""
        return [
            (*getattr(self, kind), *("",) * size)[i] for kind, _field, size in self.SLOTS for i in range(size)
        ]

    def branch(self, rows: QuerySet, **aggregates: Any) -> QuerySet:
        columns: list[Any] = [_text(self.name)]
        for kind, output_field, size in self.SLOTS:
            names = getattr(self, kind)
            if len(names) > size:
                raise ValueError(f"{self.name}: more than {size} {kind}")
            columns += [aggregates[n] for n in names] + [_null(output_field)] * (size - len(names))
        slots = {f"slot{i}": column for i, column in enumerate(columns)}
        grouped = rows.order_by().values("currency_id").annotate(**slots)
        return grouped.values_list("currency_id", *slots)


def read_figures(rows: list[tuple], sections: list[Section]) -> dict[str, list[dict[str, Any]]]:
    """{section: [{"currency_id": …, figure: value, …} per currency]} from the union's rows."""
    names = {section.name: section.names() for section in sections}
    found: dict[str, list[dict[str, Any]]] = {section.name: [] for section in sections}
    for currency_id, section, *values in rows:
        row = {"currency_id": currency_id}
        row.update((name, value) for name, value in zip(names[section], values, strict=True) if name)
        found[section].append(row)
    return found


ORDERS = Section("orders", amounts=("cost", "not_invoiced"), dates=("first", "last"))
INVOICES = Section(
    "invoices", amounts=("open", "overdue", "net", "credited"), dates=("first",), counts=("overdue_count",)
)
RECEIVABLES = Section("receivables", amounts=("owed",))
SECTIONS = [ORDERS, INVOICES, RECEIVABLES]


def figure_branches(*, company_id: int, party_id: int, today: dt.date) -> list[QuerySet]:
    """The back office's branches of the figures query (`SECTIONS`, read by `fill`)."""
    orders = SalesOrder.objects.filter(company_id=company_id, customer_id=party_id).exclude(
        status=OrderStatus.CANCELLED
    )
    placed = ~Q(status=OrderStatus.DRAFT)
    invoiced = Q(status__in=[OrderStatus.CONFIRMED, OrderStatus.DONE], invoiced_total__gt=0)
    is_open = Q(kind=InvoiceKind.INVOICE, residual__gt=0)
    is_overdue = is_open & Q(due_date__lt=today)
    receivable = OpenItem.objects.filter(
        company_id=company_id, party_id=party_id, kind=OpenItemKind.RECEIVABLE
    )
    return [
        ORDERS.branch(
            orders,
            # The cost of what was invoiced (margin); confirmed orders not yet invoiced (credit, as
            # sales' `open_order_amount`: incl. VAT, not converted).
            cost=Sum("cost_total", filter=invoiced),
            not_invoiced=Sum(F("total") - F("invoiced_total"), filter=Q(status=OrderStatus.CONFIRMED)),
            first=Min("order_date", filter=placed),
            last=Max("order_date", filter=placed),
        ),
        INVOICES.branch(
            Invoice.objects.filter(company_id=company_id, customer_id=party_id, status=InvoiceStatus.POSTED),
            open=Sum("residual", filter=is_open),
            overdue=Sum("residual", filter=is_overdue),
            net=Sum("net_total", filter=Q(kind=InvoiceKind.INVOICE)),
            credited=Sum("net_total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
            first=Min("invoice_date"),
            overdue_count=Count("id", filter=is_overdue),
        ),
        # What the customer owes now as payments' `credit_used` reads it: the subledger's open
        # receivable items in company currency (grouped by currency only to fit the union).
        RECEIVABLES.branch(receivable.exclude(status=OpenItemStatus.PAID), owed=Sum("residual_company")),
    ]


def fill(view: Any, party: Any, found: dict[str, list[dict[str, Any]]], rates: RateCache) -> None:
    """Fill the back-office figures of `view` from the figures query's `SECTIONS` (the lists come
    from `documents`)."""

    def in_base(section: str, name: str) -> Decimal:
        return sum((rates.to_base(money(r[name]), r["currency_id"]) for r in found[section]), ZERO)

    invoices, orders = found["invoices"], found["orders"]
    view.open_amount = in_base("invoices", "open")
    view.overdue_amount = in_base("invoices", "overdue")
    view.overdue_count = sum(r["overdue_count"] or 0 for r in invoices)
    view.last_order = max((r["last"] for r in orders if r["last"]), default=None)

    # Credit as sales checks it when an order is confirmed (`kern.sales.selectors.credit_position`:
    # limit, receivables from the subledger, confirmed orders not yet invoiced; test_customer360
    # holds the two equal).
    view.credit_limit = money(party.credit_limit)
    view.credit_receivables = money(sum((money(r["owed"]) for r in found["receivables"]), ZERO))
    view.credit_open_orders = money(sum((money(r["not_invoiced"]) for r in orders), ZERO))
    view.credit_used = view.credit_receivables + view.credit_open_orders

    view.lifetime_revenue = in_base("invoices", "net") - in_base("invoices", "credited")
    view.gross_margin = view.lifetime_revenue - in_base("orders", "cost") if invoices else None
    firsts = [r["first"] for r in (*orders, *invoices) if r["first"] is not None]
    view.customer_since = min(firsts) if firsts else None
