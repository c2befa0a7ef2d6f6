"""Reads of the service desk: tickets and their SLA state, customer tiers, the customer panel,
knowledge search and the SLA attainment report. Public: the CRM's customer 360 calls
`open_tickets_for(party)` and `sla_state(ticket)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from kern.sales.models import InvoiceStatus, PaymentStatus
from kern.sales.selectors.documents import credit_position, invoiced_revenue, invoices_of, orders_of
from kern.service.businesstime import Schedule, business_minutes_between
from kern.service.models import (
    OPEN_STATUSES,
    TIER_RANK,
    ArticleStatus,
    ArticleVisibility,
    BusinessCalendar,
    CannedReply,
    KnowledgeArticle,
    ServiceContract,
    ServiceTier,
    SlaPolicy,
    Ticket,
    TicketMessage,
    TicketStatus,
    TierThreshold,
)

__all__ = [
    "CustomerPanel",
    "SlaState",
    "TierVerdict",
    "TimerState",
    "canned_replies_for",
    "customer_panel",
    "open_tickets_for",
    "policy_for",
    "public_messages",
    "revenue_last_12_months",
    "schedule_of",
    "search_articles",
    "sla_attainment",
    "sla_state",
    "suggest_articles",
    "ticket_counts",
    "tickets_for",
    "tier_of",
]


# --- tickets ---------------------------------------------------------------------------------


def tickets_for(company: Any) -> QuerySet[Ticket]:
    return Ticket.objects.for_company(company).select_related(
        "customer", "contact", "team", "category", "assignee", "sla_policy"
    )


def open_tickets_for(party: Any) -> QuerySet[Ticket]:
    """The customer's tickets that still need work, oldest first (the CRM's customer 360 lists them)."""
    return (
        Ticket.objects.filter(company_id=party.company_id, customer=party, status__in=OPEN_STATUSES)
        .select_related("team", "assignee", "sla_policy")
        .order_by("created_at", "id")
    )


def public_messages(ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the customer may read: their own messages and public replies, never internal notes."""
    return ticket.messages.filter(kind__in=("customer", "reply")).select_related("author")


# --- service levels --------------------------------------------------------------------------


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    # .all() so a prefetch of sla_policy__calendar__holidays saves the query per ticket
    return Schedule.build(
        calendar.time_zone, calendar.working_hours, [h.date for h in calendar.holidays.all()]
    )


def policy_for(company: Any, tier: str, priority: str) -> SlaPolicy | None:
    """The active policy for a tier and priority; a tier without its own falls back to lower tiers."""
    policies = {
        p.tier: p
        for p in SlaPolicy.objects.for_company(company)
        .filter(is_active=True, priority=priority)
        .select_related("calendar", "escalation_team")
    }
    rank = TIER_RANK.get(tier, 0)
    for candidate in sorted(TIER_RANK, key=lambda t: -TIER_RANK[t]):
        if TIER_RANK[candidate] <= rank and candidate in policies:
            return policies[candidate]
    return None


@dataclass(frozen=True)
class TimerState:
    """One SLA clock: `state` is none | running | at_risk | breached | met | missed | paused."""

    due: dt.datetime | None
    state: str
    minutes_left: int | None = None  # business minutes; negative once breached
    done_at: dt.datetime | None = None

    @property
    def is_late(self) -> bool:
        return self.state in ("breached", "missed")


@dataclass(frozen=True)
class SlaState:
    first_response: TimerState
    resolution: TimerState

    @property
    def state(self) -> str:
        """The worse of the two clocks, for a badge."""
        order = ["breached", "missed", "at_risk", "paused", "running", "met", "none"]
        states = [self.first_response.state, self.resolution.state]
        return min(states, key=order.index)


def _timer(
    due: dt.datetime | None,
    done_at: dt.datetime | None,
    target_minutes: int,
    at_risk_percent: int,
    schedule: Schedule | None,
    now: dt.datetime,
    paused_left: int | None = None,
) -> TimerState:
    if paused_left is not None:
        return TimerState(None, "paused", paused_left)
    if due is None:
        return TimerState(None, "none")
    if done_at is not None:
        return TimerState(due, "met" if done_at <= due else "missed", None, done_at)
    left = (
        business_minutes_between(schedule, now, due) if schedule else int((due - now).total_seconds() // 60)
    )
    if now >= due:
        return TimerState(due, "breached", min(left, 0))
    risk_from = target_minutes * (100 - at_risk_percent) / 100
    return TimerState(due, "at_risk" if left <= risk_from else "running", left)


def sla_state(
    ticket: Ticket, *, now: dt.datetime | None = None, schedule: Schedule | None = None
) -> SlaState:
    """Both clocks of a ticket, as shown on its page and in the customer 360."""
    now = now or timezone.now()
    policy = ticket.sla_policy
    if policy is None:
        none = TimerState(None, "none")
        return SlaState(none, none)
    schedule = schedule or schedule_of(policy.calendar)
    first = _timer(
        ticket.first_response_due,
        ticket.first_responded_at,
        policy.first_response_minutes,
        policy.at_risk_percent,
        schedule,
        now,
    )
    closed = ticket.resolved_at if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) else None
    if ticket.status == TicketStatus.MERGED:
        resolution = TimerState(ticket.resolution_due, "none")
    else:
        resolution = _timer(
            ticket.resolution_due,
            closed,
            policy.resolution_minutes,
            policy.at_risk_percent,
            schedule,
            now,
            paused_left=ticket.resolution_remaining_minutes
            if ticket.status == TicketStatus.PENDING
            else None,
        )
    return SlaState(first, resolution)


# --- customer tier ---------------------------------------------------------------------------


def revenue_last_12_months(party: Any, *, on: dt.date | None = None) -> Decimal:
    """Net revenue invoiced to the customer over the 12 months up to `on` (posted sales invoices
    less credit notes, company currency)."""
    on = on or timezone.localdate()
    return invoiced_revenue(party, since=on - dt.timedelta(days=365), until=on)


@dataclass(frozen=True)
class TierVerdict:
    tier: str
    revenue: Decimal
    contract: ServiceContract | None
    reason: str


def tier_of(party: Any, *, on: dt.date | None = None) -> TierVerdict:
    """A customer's tier: the higher of what its revenue over the last 12 months reaches
    (TierThreshold) and what a running service contract gives."""
    if party is None:
        return TierVerdict(ServiceTier.STANDARD, Decimal("0"), None, "no customer")
    on = on or timezone.localdate()
    revenue = revenue_last_12_months(party, on=on)
    tier, reason = ServiceTier.STANDARD, "standard"
    for threshold in TierThreshold.objects.for_company(party.company_id).order_by("min_revenue"):
        if revenue >= threshold.min_revenue and TIER_RANK[threshold.tier] > TIER_RANK[tier]:
            tier, reason = threshold.tier, f"revenue {revenue} ≥ {threshold.min_revenue}"
    contract = (
        ServiceContract.objects.for_company(party.company_id)
        .filter(party=party, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on", "-id")
    )
    best = max(contract, key=lambda c: TIER_RANK[c.tier], default=None)
    if best is not None and TIER_RANK[best.tier] > TIER_RANK[tier]:
        tier, reason = best.tier, f"contract {best.reference}"
    return TierVerdict(tier, revenue, best, reason)


# --- the customer panel on a ticket ----------------------------------------------------------


@dataclass
class CustomerPanel:
    """What an agent sees beside a ticket: who is calling and how they stand with us."""

    party: Any
    tier: TierVerdict
    credit_limit: Decimal
    open_amount: Decimal | None
    credit_status: str  # ok | over_limit | no_limit
    open_invoices: list[Any] = field(default_factory=list)
    recent_orders: list[Any] = field(default_factory=list)
    open_tickets: int = 0


def customer_panel(party: Any) -> CustomerPanel | None:
    if party is None:
        return None
    verdict = tier_of(party)
    credit = credit_position(party)
    invoices = list(
        invoices_of(party.company_id)
        .filter(customer=party, status=InvoiceStatus.POSTED)
        .exclude(payment_status=PaymentStatus.PAID)
        .order_by("due_date", "pk")[:10]
    )
    orders = list(orders_of(party.company_id).filter(customer=party).order_by("-pk")[:5])
    status = (
        "over_limit" if credit.limit and credit.used > credit.limit else "ok" if credit.limit else "no_limit"
    )
    return CustomerPanel(
        party=party,
        tier=verdict,
        credit_limit=credit.limit,
        open_amount=credit.receivables,
        credit_status=status,
        open_invoices=invoices,
        recent_orders=orders,
        open_tickets=open_tickets_for(party).count(),
    )


# --- knowledge base and canned replies -------------------------------------------------------


def search_articles(
    company: Any, text: str, *, public_only: bool = False, limit: int = 10
) -> QuerySet[KnowledgeArticle]:
    """Published articles matching the words of `text`, best first: a title match counts three
    times, a keyword twice, the text once."""
    qs = KnowledgeArticle.objects.for_company(company).filter(status=ArticleStatus.PUBLISHED)
    if public_only:
        qs = qs.filter(visibility=ArticleVisibility.PUBLIC)
    words = [w for w in (text or "").lower().split() if len(w) >= 3][:8]
    if not words:
        return qs.none()
    score = Value(0, output_field=IntegerField())
    matches = Q()
    for word in words:
        score = (
            score
            + Case(When(title__icontains=word, then=Value(3)), default=Value(0), output_field=IntegerField())
            + Case(
                When(keywords__icontains=word, then=Value(2)), default=Value(0), output_field=IntegerField()
            )
            + Case(When(body__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        matches |= Q(title__icontains=word) | Q(keywords__icontains=word) | Q(body__icontains=word)
    return (
        qs.filter(matches)
        .annotate(score=score)
        .select_related("category")
        .order_by("-score", "title")[:limit]
    )


def suggest_articles(company: Any, subject: str, description: str = "", *, public_only: bool = False):
    """Articles to offer while a ticket is being typed."""
    return search_articles(company, f"{subject} {description[:300]}", public_only=public_only, limit=5)


def canned_replies_for(ticket: Ticket) -> QuerySet[CannedReply]:
    return (
        CannedReply.objects.for_company(ticket.company_id)
        .filter(is_active=True)
        .filter(Q(team__isnull=True) | Q(team_id=ticket.team_id))
    )


# --- reports ---------------------------------------------------------------------------------


def sla_attainment(company: Any, *, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Share of tickets created in [since, until] that met their first-response and resolution
    targets, overall and per team, tier and priority. A clock counts once it is decided: met, missed,
    or breached while still running; a clock still within its target is not counted yet."""
    now = timezone.now()
    qs = (
        Ticket.objects.for_company(company)
        .filter(created_at__date__gte=since, created_at__date__lte=until, sla_policy__isnull=False)
        .exclude(status=TicketStatus.MERGED)
        .select_related("team", "sla_policy__calendar")
    )
    schedules: dict[int, Schedule] = {}
    rows: dict[tuple[str, str], dict[str, int]] = {}

    def bucket(kind: str, key: str) -> dict[str, int]:
        return rows.setdefault(
            (kind, key),
            {
                "tickets": 0,
                "response_met": 0,
                "response_decided": 0,
                "resolution_met": 0,
                "resolution_decided": 0,
            },
        )

    for ticket in qs:
        cal = ticket.sla_policy.calendar
        if cal.pk not in schedules:
            schedules[cal.pk] = schedule_of(cal)
        state = sla_state(ticket, now=now, schedule=schedules[cal.pk])
        keys = [
            ("all", "all"),
            ("team", ticket.team.name if ticket.team else "—"),
            ("tier", ticket.tier),
            ("priority", ticket.priority),
        ]
        for kind, key in keys:
            b = bucket(kind, key)
            b["tickets"] += 1
            if state.first_response.state in ("met", "missed", "breached"):
                b["response_decided"] += 1
                b["response_met"] += state.first_response.state == "met"
            if state.resolution.state in ("met", "missed", "breached"):
                b["resolution_decided"] += 1
                b["resolution_met"] += state.resolution.state == "met"

    def pct(met: int, decided: int) -> Decimal | None:
        return (Decimal(met * 100) / decided).quantize(Decimal("0.1")) if decided else None

    out: dict[str, Any] = {"since": since, "until": until, "groups": []}
    for (kind, key), b in sorted(rows.items()):
        out["groups"].append(
            {
                "group": kind,
                "key": key,
                **b,
                "response_attainment": pct(b["response_met"], b["response_decided"]),
                "resolution_attainment": pct(b["resolution_met"], b["resolution_decided"]),
            }
        )
    return out


def ticket_counts(company: Any) -> dict[str, int]:
    """Open tickets per status, for the dashboard card."""
    counts = dict(
        Ticket.objects.for_company(company)
        .filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in OPEN_STATUSES}
