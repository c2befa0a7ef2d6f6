"""The customer 360: everything a rep wants to see before a call, from one database snapshot.

Every section is a fixed number of queries however many documents the customer has (the list
sections are limited, the figures are SQL aggregates), so the page stays fast for the biggest
customer. On PostgreSQL all reads run in one REPEATABLE READ transaction: the figures agree with
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
from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone

from kern.crm.models import Activity, ActivityStatus, Opportunity, OpportunityStatus
from kern.crm.selectors import erp
from kern.crm.selectors.pipeline import RateCache
from kern.crm.selectors.visibility import visibility_condition
from kern.parties.models import ContactPerson, Party

__all__ = ["CREDIT_WARNING_SHARE", "Customer360", "credit_status", "customer_360", "snapshot"]

ZERO = Decimal("0")
CREDIT_WARNING_SHARE = Decimal("0.8")  # credit used from 80 % of the limit on is a warning
LIST_LIMIT = 10


@dataclass
class Customer360:
    party: Party
    as_of: dt.datetime
    currency: str
    contacts: list[ContactPerson] = field(default_factory=list)
    open_opportunities: list[Opportunity] = field(default_factory=list)
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
    recent_activities: list[Activity] = field(default_factory=list)
    planned_activities: list[Activity] = field(default_factory=list)
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
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def customer_360(party: Party, user: Any) -> Customer360:
    company = party.company
    with snapshot():
        view = Customer360(party=party, as_of=timezone.now(), currency=company.base_currency_id)
        view.contacts = list(
            ContactPerson.objects.filter(party=party, is_active=True).order_by("-is_primary", "last_name")[
                :20
            ]
        )
        # The open pipeline the user may see, and the first won deal: one list, one aggregate.
        condition = visibility_condition(user, company)
        is_visible = Q(status=OpportunityStatus.OPEN) & (condition if condition is not None else Q())
        of_party = Opportunity.objects.filter(company=company, party=party)
        view.open_opportunities = list(
            of_party.filter(is_visible)
            .select_related("stage")
            .order_by(F("expected_close_date").asc(nulls_last=True), "id")[:LIST_LIMIT]
        )
        weighted = ExpressionWrapper(
            F("expected_revenue") * F("probability"),
            output_field=DecimalField(max_digits=30, decimal_places=4),
        )
        rates = RateCache(company)
        first_won = []
        for row in (
            of_party.values("currency_id")
            .annotate(
                expected=Sum("expected_revenue", filter=is_visible),
                weighted=Sum(weighted, filter=is_visible),
                first_won=Min("closed_on", filter=Q(status=OpportunityStatus.WON)),
            )
            .order_by()
        ):
            view.pipeline_value += rates.to_base(row["expected"] or ZERO, row["currency_id"])
            view.weighted_pipeline += rates.to_base((row["weighted"] or ZERO) / 100, row["currency_id"])
            if row["first_won"] is not None:
                first_won.append(row["first_won"])
        activities = Activity.objects.filter(company=company, party=party)
        view.recent_activities = list(
            activities.filter(status=ActivityStatus.DONE)
            .select_related("assigned_to")
            .order_by(F("done_at").desc(nulls_last=True), "-id")[:LIST_LIMIT]
        )
        view.planned_activities = list(
            activities.filter(status=ActivityStatus.PLANNED)
            .select_related("assigned_to")
            .order_by(F("due_at").asc(nulls_last=True), "id")[:5]
        )
        # The newest done activity is the last contact (done_at is set on every done activity).
        view.last_contact = view.recent_activities[0].done_at if view.recent_activities else None
        erp.fill(view, party)
        since = [d for d in (view.customer_since, *first_won) if d is not None]
        view.customer_since = (
            min(since)
            if since
            else (timezone.localtime(party.created_at).date() if party.is_customer else None)
        )
        view.credit_status = credit_status(view.credit_limit, view.credit_used)
    return view
