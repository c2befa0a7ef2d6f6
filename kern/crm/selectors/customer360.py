"""The customer 360: everything a rep wants to see before a call, from one database snapshot.

The number of queries is fixed however many documents the customer has, and small: who the user
is (roles, teams, the visibility rule: one query), contacts, open opportunities, activities (one
query for the recent and the planned), the document lists (one UNION ALL over six tables) and the
figures (one UNION ALL of per-currency aggregates over five tables). Rows come back as tuples
into small dataclasses, not model instances; the API and the page both render this dataclass.
Exchange rates are looked up once per currency per call. Building these querysets cost more CPU
than running them, so they are `Prepared`: compiled once per process, then only executed.

On PostgreSQL all reads run in one REPEATABLE READ READ ONLY transaction: the figures agree with
each other even while finance posts an invoice at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.utils import timezone

from kern.core.prepared import Prepared
from kern.crm.models import Activity, ActivityKind, ActivityStatus, Opportunity, OpportunityStatus
from kern.crm.selectors import erp
from kern.crm.selectors.pipeline import RateCache
from kern.crm.selectors.visibility import scope_condition, visibility_scope
from kern.parties.models import ContactPerson, Party

__all__ = [
    "CREDIT_WARNING_SHARE",
    "ActivityLine",
    "ContactLine",
    "Customer360",
    "OpportunityLine",
    "credit_status",
    "customer_360",
    "snapshot",
]

ZERO = Decimal("0")
CREDIT_WARNING_SHARE = Decimal("0.8")  # credit used from 80 % of the limit on is a warning
LIST_LIMIT = 10
PLANNED_LIMIT = 5
CONTACT_LIMIT = 20


@dataclass(frozen=True)
class ContactLine:
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    is_primary: bool


@dataclass(frozen=True)
class OpportunityLine:
    id: int
    number: str
    name: str
    stage: str
    probability: int
    expected_revenue: Decimal
    currency: str
    expected_close_date: dt.date | None


@dataclass(frozen=True)
class ActivityLine:
    id: int
    kind: str
    kind_label: str
    subject: str
    status: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    outcome: str
    assigned_to_id: int
    assigned_to: str


@dataclass
class Customer360:
    party: Party
    as_of: dt.datetime
    currency: str
    contacts: list[ContactLine] = field(default_factory=list)
    open_opportunities: list[OpportunityLine] = field(default_factory=list)
    pipeline_value: Decimal = ZERO
    weighted_pipeline: Decimal = ZERO
    open_quotes: list[erp.DocumentLine] = field(default_factory=list)
    orders: list[erp.DocumentLine] = field(default_factory=list)
    deliveries_in_transit: list[erp.DocumentLine] = field(default_factory=list)
    open_invoices: list[erp.DocumentLine] = field(default_factory=list)
    open_amount: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    overdue_count: int = 0
    credit_limit: Decimal = ZERO
    credit_receivables: Decimal = ZERO
    credit_open_orders: Decimal = ZERO
    credit_used: Decimal = ZERO
    credit_status: str = "ok"
    last_payments: list[erp.DocumentLine] = field(default_factory=list)
    open_tickets: list[erp.DocumentLine] = field(default_factory=list)
    recent_activities: list[ActivityLine] = field(default_factory=list)
    planned_activities: list[ActivityLine] = field(default_factory=list)
    lifetime_revenue: Decimal = ZERO
    gross_margin: Decimal | None = None
    customer_since: dt.date | None = None
    last_order: dt.date | None = None
    last_contact: dt.datetime | None = None

    @property
    def margin_percent(self) -> Decimal | None:
        if self.gross_margin is None or not self.lifetime_revenue:
            return None
        return (self.gross_margin * 100 / self.lifetime_revenue).quantize(Decimal("0.1"))


def credit_status(limit: Decimal, used: Decimal) -> str:
    """ok / warning / blocked. A limit of 0 means no limit is set."""
    if not limit or limit <= 0:
        return "ok"
    if used > limit:
        return "blocked"
    if used >= limit * CREDIT_WARNING_SHARE:
        return "warning"
    return "ok"


@contextmanager
def snapshot() -> Iterator[None]:
    """Run the reads in one transaction; on PostgreSQL with one snapshot for all of them."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    raw = connection.connection
    if not hasattr(raw, "read_only"):  # psycopg 2: say it in a statement of its own
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    # psycopg 3 opens the transaction with these in its BEGIN: one round trip fewer.
    import psycopg

    before = (raw.isolation_level, raw.read_only)
    raw.isolation_level, raw.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
    try:
        with transaction.atomic():
            yield
    finally:
        if not raw.closed:  # a broken connection is replaced, not reused
            raw.isolation_level, raw.read_only = before


def _contacts_query(shape: tuple[()], *, party_id: int) -> QuerySet:
    rows = ContactPerson.objects.filter(party_id=party_id, is_active=True).order_by(
        "-is_primary", "last_name"
    )
    return rows.values_list("id", "first_name", "last_name", "job_title", "email", "phone", "is_primary")[
        :CONTACT_LIMIT
    ]


def _visible(shape: tuple[bool, int], values: dict[str, Any]) -> Q:
    """Open, and (unless the user sees everything) theirs or their teams' — `visibility_scope`."""
    sees_all, _teams = shape
    if sees_all:
        return Q(status=OpportunityStatus.OPEN)
    return Q(status=OpportunityStatus.OPEN) & scope_condition(values["owner_id"], values["team_ids"])


def _opportunities_query(
    shape: tuple[bool, int], *, company_id: int, party_id: int, **scope: Any
) -> QuerySet:
    rows = Opportunity.objects.filter(company_id=company_id, party_id=party_id).filter(_visible(shape, scope))
    return rows.order_by(F("expected_close_date").asc(nulls_last=True), "id").values_list(
        "id",
        "number",
        "name",
        "stage__name",
        "probability",
        "expected_revenue",
        "currency_id",
        "expected_close_date",
    )[:LIST_LIMIT]


def _activities_query(shape: tuple[()], *, company_id: int, party_id: int) -> QuerySet:
    """The ten newest done and the five next planned activities in one query, each list picked
    by an id subquery (`_activities` sorts them again)."""
    of_party = Activity.objects.filter(company_id=company_id, party_id=party_id)
    done = of_party.filter(status=ActivityStatus.DONE).order_by(F("done_at").desc(nulls_last=True), "-id")
    planned = of_party.filter(status=ActivityStatus.PLANNED).order_by(F("due_at").asc(nulls_last=True), "id")
    return (
        Activity.objects.filter(
            Q(pk__in=done.values("pk")[:LIST_LIMIT]) | Q(pk__in=planned.values("pk")[:PLANNED_LIMIT])
        )
        .order_by()
        .values_list(
            "id",
            "kind",
            "subject",
            "status",
            "due_at",
            "done_at",
            "outcome",
            "assigned_to_id",
            "assigned_to__username",  # as the user's __str__ shows it
        )
    )


PIPELINE = erp.Section("pipeline", amounts=("expected", "weighted"), dates=("first_won",))


def _figures_query(
    shape: tuple[bool, int], *, company_id: int, party_id: int, today: dt.date, **scope: Any
) -> QuerySet:
    """Every aggregate of the 360 in one UNION ALL: the open pipeline the user may see and the
    first won deal, then the back office's figures."""
    weighted = ExpressionWrapper(
        F("expected_revenue") * F("probability"), output_field=DecimalField(max_digits=30, decimal_places=4)
    )
    is_visible = _visible(shape, scope)
    pipeline = PIPELINE.branch(
        Opportunity.objects.filter(company_id=company_id, party_id=party_id),
        expected=Sum("expected_revenue", filter=is_visible),
        weighted=Sum(weighted, filter=is_visible),
        first_won=Min("closed_on", filter=Q(status=OpportunityStatus.WON)),
    )
    others = erp.figure_branches(company_id=company_id, party_id=party_id, today=today)
    return pipeline.union(*others, all=True)


_CONTACTS = Prepared(_contacts_query)
_OPPORTUNITIES = Prepared(_opportunities_query)
_ACTIVITIES = Prepared(_activities_query)
_FIGURES = Prepared(_figures_query)


def _activities(company_id: int, party_id: int) -> tuple[list[ActivityLine], list[ActivityLine]]:
    kinds = {value: str(label) for value, label in ActivityKind.choices}
    lines = [
        ActivityLine(pk, kind, kinds.get(kind, kind), subject, status, due, at, outcome, user_id, user)
        for pk, kind, subject, status, due, at, outcome, user_id, user in _ACTIVITIES.rows(
            company_id=company_id, party_id=party_id
        )
    ]
    recent = sorted(
        (a for a in lines if a.status == ActivityStatus.DONE),
        key=lambda a: (a.done_at is not None, a.done_at, a.id),
        reverse=True,
    )
    coming = sorted(
        (a for a in lines if a.status == ActivityStatus.PLANNED),
        key=lambda a: (a.due_at is None, a.due_at, a.id),
    )
    return recent, coming


def customer_360(party: Party, user: Any) -> Customer360:
    company = party.company
    today = timezone.localdate()
    ids = {"company_id": company.pk, "party_id": party.pk}
    rates = RateCache(company)  # one rate per currency for every section of this call
    with snapshot():
        view = Customer360(party=party, as_of=timezone.now(), currency=company.base_currency_id)
        # The name as ContactPerson.__str__ gives it.
        view.contacts = [
            ContactLine(pk, f"{first} {last}".strip(), title, email, phone, primary)
            for pk, first, last, title, email, phone, primary in _CONTACTS.rows(party_id=party.pk)
        ]
        visibility = visibility_scope(user, company)
        if visibility is None:
            shape, scope = (True, 0), {}
        else:
            owner_id, team_ids = visibility
            shape, scope = (False, len(team_ids)), {"owner_id": owner_id, "team_ids": team_ids}
        view.open_opportunities = [
            OpportunityLine(*row) for row in _OPPORTUNITIES.rows(shape, **ids, **scope)
        ]
        view.recent_activities, view.planned_activities = _activities(company.pk, party.pk)
        # The newest done activity is the last contact (done_at is set on every done activity).
        view.last_contact = view.recent_activities[0].done_at if view.recent_activities else None
        for section, lines in erp.documents(party, today).items():
            setattr(view, section, lines)

        found = erp.read_figures(_FIGURES.rows(shape, **ids, today=today, **scope), [PIPELINE, *erp.SECTIONS])
        pipeline = found["pipeline"]
        view.pipeline_value = sum(
            (rates.to_base(erp.money(r["expected"]), r["currency_id"]) for r in pipeline), ZERO
        )
        view.weighted_pipeline = sum(
            (rates.to_base(erp.decimal(r["weighted"]) / 100, r["currency_id"]) for r in pipeline), ZERO
        )
        erp.fill(view, party, found, rates)
    since = [d for d in (view.customer_since, *(r["first_won"] for r in pipeline)) if d is not None]
    view.customer_since = (
        min(since) if since else (timezone.localtime(party.created_at).date() if party.is_customer else None)
    )
    view.credit_status = credit_status(view.credit_limit, view.credit_used)
    return view
