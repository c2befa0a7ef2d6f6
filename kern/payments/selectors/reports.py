"""Receivables and payables reports: ageing (in SQL), credit used, party statements, dunning.

Ageing is "as of" a date: an item counts with what was still open on that date — its
company-currency amount less the allocations dated on or before it (and not reversed by then) —
and falls in a bucket by how many days past due it was: current (not yet due), 1–30, 31–60,
61–90 and over 90. Everything is summed by the database; nothing is loaded line by line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from kern.ledger.models import JournalLine
from kern.ledger.selectors import account_for
from kern.parties.models import Party
from kern.payments.models import (
    Allocation,
    DunningLevel,
    OpenItem,
    OpenItemKind,
    OpenItemStatus,
)

__all__ = [
    "BUCKETS",
    "AgedRow",
    "AgeingReport",
    "DunningProposal",
    "PartyStatement",
    "StatementRow",
    "aged_payables",
    "aged_receivables",
    "ageing",
    "credit_used",
    "due_payables",
    "dunning_proposal",
    "open_items_of",
    "party_statement",
]

ZERO = Decimal("0")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
_MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass
class AgedRow:
    party_id: int
    party_name: str
    party_number: str
    current: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, b) for b in BUCKETS), ZERO)


@dataclass
class AgeingReport:
    kind: str
    on: dt.date
    currency: str
    rows: list[AgedRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, Decimal]:
        out = {b: sum((getattr(r, b) for r in self.rows), ZERO) for b in BUCKETS}
        out["total"] = sum(out.values(), ZERO)
        return out


def _open_on(company: Any, kind: str, on: dt.date):
    """Items of `kind` with their company-currency amount still open on `on` (`open_on`)."""
    settled = (
        Allocation.objects.filter(open_item=OuterRef("pk"), date__lte=on)
        .filter(Q(is_reversed=False) | Q(reversed_on__gt=on))
        .values("open_item")
        .annotate(s=Sum("amount_company"))
        .values("s")
    )
    return (
        OpenItem.objects.filter(company_id=getattr(company, "pk", company), kind=kind, document_date__lte=on)
        .annotate(
            open_on=ExpressionWrapper(
                F("amount_company")
                - Coalesce(Subquery(settled, output_field=_MONEY), Value(ZERO, output_field=_MONEY)),
                output_field=_MONEY,
            )
        )
        .exclude(open_on=0)
    )


def ageing(company: Any, kind: str, on: dt.date | None = None, *, party: Any = None) -> AgeingReport:
    on = on or dt.date.today()
    items = _open_on(company, kind, on)
    if party is not None:
        items = items.filter(party_id=getattr(party, "pk", party))
    limits = {
        "current": Q(due_date__gte=on),
        "days_1_30": Q(due_date__lt=on, due_date__gte=on - dt.timedelta(days=30)),
        "days_31_60": Q(due_date__lt=on - dt.timedelta(days=30), due_date__gte=on - dt.timedelta(days=60)),
        "days_61_90": Q(due_date__lt=on - dt.timedelta(days=60), due_date__gte=on - dt.timedelta(days=90)),
        "over_90": Q(due_date__lt=on - dt.timedelta(days=90)),
    }
    sums = {
        bucket: Coalesce(
            Sum(Case(When(condition, then=F("open_on")), default=Value(ZERO), output_field=_MONEY)),
            Value(ZERO, output_field=_MONEY),
        )
        for bucket, condition in limits.items()
    }
    rows = (
        items.values("party_id", "party__name", "party__number")
        .annotate(**sums)
        .order_by("party__name", "party_id")
    )
    company_obj = company
    report = AgeingReport(kind=kind, on=on, currency=getattr(company_obj, "base_currency_id", "EUR"))
    for row in rows:
        report.rows.append(
            AgedRow(
                party_id=row["party_id"],
                party_name=row["party__name"],
                party_number=row["party__number"],
                **{b: row[b] + ZERO for b in BUCKETS},
            )
        )
    return report


def aged_receivables(company: Any, on: dt.date | None = None, *, party: Any = None) -> AgeingReport:
    return ageing(company, OpenItemKind.RECEIVABLE, on, party=party)


def aged_payables(company: Any, on: dt.date | None = None, *, party: Any = None) -> AgeingReport:
    return ageing(company, OpenItemKind.PAYABLE, on, party=party)


def credit_used(company: Any, party: Any) -> Decimal:
    """What the customer owes now (open receivables, net of credit), for the sales credit check."""
    total = (
        OpenItem.objects.filter(
            company_id=getattr(company, "pk", company),
            party_id=getattr(party, "pk", party),
            kind=OpenItemKind.RECEIVABLE,
        )
        .exclude(status=OpenItemStatus.PAID)
        .aggregate(s=Sum("residual_company"))["s"]
    )
    return (total or ZERO) + ZERO


def open_items_of(company: Any, party: Any, kind: str | None = None):
    items = OpenItem.objects.filter(
        company_id=getattr(company, "pk", company), party_id=getattr(party, "pk", party)
    ).exclude(status=OpenItemStatus.PAID)
    if kind:
        items = items.filter(kind=kind)
    return items.order_by("due_date", "pk")


@dataclass
class StatementRow:
    date: dt.date
    entry: str
    document: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    due_date: dt.date | None = None


@dataclass
class PartyStatement:
    party: Party
    kind: str
    start: dt.date
    end: dt.date
    currency: str
    opening_balance: Decimal
    rows: list[StatementRow]
    closing_balance: Decimal
    open_items: list[OpenItem]
    ageing: AgeingReport


def party_statement(
    company: Any, party: Party, start: dt.date, end: dt.date, *, kind: str = OpenItemKind.RECEIVABLE
) -> PartyStatement:
    """A customer (receivable) or vendor (payable) statement: the party's account in the ledger
    from `start` to `end` with a running balance, and what is open at the end.

    Balances are what the party owes us (customers) or we owe them (vendors)."""
    account = account_for(company, kind)
    sign = 1 if kind == OpenItemKind.RECEIVABLE else -1
    lines = JournalLine.objects.filter(company_id=company.pk, account=account, party_id=party.pk)
    before = lines.filter(date__lt=start).aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = sign * ((before["d"] or ZERO) - (before["c"] or ZERO))
    rows = []
    running = opening
    for line in (
        lines.filter(date__gte=start, date__lte=end)
        .select_related("entry")
        .order_by("date", "entry_id", "line_no")
    ):
        running += sign * (line.debit - line.credit)
        rows.append(
            StatementRow(
                date=line.date,
                entry=line.entry.number,
                document=line.entry.source_number or line.entry.number,
                description=line.description or line.entry.memo,
                debit=line.debit,
                credit=line.credit,
                balance=running,
                due_date=line.due_date,
            )
        )
    return PartyStatement(
        party=party,
        kind=kind,
        start=start,
        end=end,
        currency=company.base_currency_id,
        opening_balance=opening,
        rows=rows,
        closing_balance=running,
        open_items=list(_open_on(company, kind, end).filter(party_id=party.pk).order_by("due_date", "pk")),
        ageing=ageing(company, kind, end, party=party),
    )


@dataclass
class DunningProposal:
    party: Party
    level: DunningLevel
    items: list[tuple[OpenItem, int, int]]  # (item, days overdue, level it reaches)
    overdue_total: Decimal
    currency: str


def dunning_proposal(company: Any, on: dt.date | None = None, *, party: Any = None) -> list[DunningProposal]:
    """Customers with overdue invoices that reached a further dunning level than last time (of
    one customer when `party` is given).

    An item reaches the highest active level whose `days_overdue` it passed; a letter is due
    when one of the customer's items reaches a level above the one it was last dunned at, and
    the letter is of the highest level reached. Credits of the customer are not dunned."""
    on = on or dt.date.today()
    levels = list(
        DunningLevel.objects.filter(company_id=company.pk, is_active=True).order_by("days_overdue", "level")
    )
    if not levels:
        return []
    first = levels[0].days_overdue
    items = (
        OpenItem.objects.filter(
            company_id=company.pk,
            kind=OpenItemKind.RECEIVABLE,
            status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
            residual__gt=0,
            due_date__lt=on - dt.timedelta(days=first) + dt.timedelta(days=1),
        )
        .select_related("party")
        .order_by("party__name", "party_id", "due_date", "pk")
    )
    if party is not None:
        items = items.filter(party_id=getattr(party, "pk", party))
    by_party: dict[int, list[tuple[OpenItem, int, DunningLevel]]] = {}
    for item in items:
        days = (on - item.due_date).days
        reached = None
        for level in levels:
            if days >= level.days_overdue:
                reached = level
        if reached is None:
            continue
        by_party.setdefault(item.party_id, []).append((item, days, reached))
    proposals = []
    for entries in by_party.values():
        due_now = [e for e in entries if e[2].level > e[0].dunning_level]
        if not due_now:
            continue
        level = max((e[2] for e in entries), key=lambda lv: lv.level)
        currencies = {e[0].currency_id for e in entries}
        proposals.append(
            DunningProposal(
                party=entries[0][0].party,
                level=level,
                items=[(item, days, reached.level) for item, days, reached in entries],
                overdue_total=sum((e[0].residual for e in entries), ZERO),
                currency=currencies.pop() if len(currencies) == 1 else company.base_currency_id,
            )
        )
    return proposals


@dataclass
class DueVendor:
    party_id: int
    party_name: str
    party_number: str
    items: int
    total: Decimal
    first_due: dt.date | None


def due_payables(company: Any, due_until: dt.date, currency: str = "EUR") -> list[DueVendor]:
    """Vendors with payable items due by `due_until` (or with an early-payment discount still
    open then), net of their credit notes: what a payment run would pick, one row per vendor."""
    items = (
        OpenItem.objects.filter(
            company_id=getattr(company, "pk", company),
            kind=OpenItemKind.PAYABLE,
            status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
            currency_id=currency,
            payment_blocked=False,
        )
        .filter(Q(due_date__lte=due_until) | Q(discount_date__gte=due_until) | Q(residual__lt=0))
        .values("party_id", "party__name", "party__number")
        .annotate(n=Count("pk", filter=Q(residual__gt=0)), total=Sum("residual"), first=Min("due_date"))
        .filter(n__gt=0)
        .order_by("party__name", "party_id")
    )
    return [
        DueVendor(
            party_id=row["party_id"],
            party_name=row["party__name"],
            party_number=row["party__number"],
            items=row["n"],
            total=row["total"] + ZERO,
            first_due=row["first"],
        )
        for row in items
    ]
