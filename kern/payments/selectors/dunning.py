"""The dunning screen's reads: customers with overdue invoices, how far they were reminded, and
what the next letter would be.

The letter that is due comes from `dunning_proposal` itself, so the screen shows exactly what
`send_dunning_letters` would write; the rest (how late, the last reminder, the letters sent) is
read in a fixed number of queries whatever the number of customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext

from kern.parties.models import Address, Party
from kern.payments.models import (
    DunningLetter,
    DunningLetterLine,
    DunningLevel,
    OpenItem,
    OpenItemKind,
    OpenItemStatus,
)
from kern.payments.selectors.reports import DunningProposal, dunning_proposal

__all__ = [
    "DunningLetterPreview",
    "DunningRow",
    "OverdueItem",
    "dunning_letter_preview",
    "dunning_overview",
    "letters_of",
]

ZERO = Decimal("0")


@dataclass
class OverdueItem:
    item: OpenItem
    days_overdue: int
    reached: DunningLevel | None  # the level its lateness reaches now (None: not yet the first)


@dataclass
class DunningRow:
    party: Party
    items: list[OverdueItem] = field(default_factory=list)
    overdue_total: Decimal = ZERO  # company currency
    current_level: int = 0  # the highest level a reminder has reached so far
    last_dunned_on: dt.date | None = None
    proposal: DunningProposal | None = None  # the letter that is due now, if any
    next_level: DunningLevel | None = None  # else: the next level ahead, and from when
    next_on: dt.date | None = None
    letters: int = 0
    last_letter_on: dt.date | None = None

    @property
    def oldest_due(self) -> dt.date | None:
        return min((o.item.due_date for o in self.items), default=None)

    @property
    def days_overdue(self) -> int:
        return max((o.days_overdue for o in self.items), default=0)


def dunning_overview(company: Any, on: dt.date | None = None, *, party: Any = None) -> list[DunningRow]:
    """One row per customer with receivables past their due date on `on` (of one customer when
    given), ordered by name."""
    on = on or dt.date.today()
    party_id = getattr(party, "pk", party)
    levels = list(
        DunningLevel.objects.filter(company_id=company.pk, is_active=True).order_by("days_overdue", "level")
    )
    items = OpenItem.objects.filter(
        company_id=company.pk,
        kind=OpenItemKind.RECEIVABLE,
        status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
        residual__gt=0,
        due_date__lt=on,
    )
    if party_id is not None:
        items = items.filter(party_id=party_id)
    rows: dict[int, DunningRow] = {}
    for item in items.select_related("party").order_by("party__name", "party_id", "due_date", "pk"):
        row = rows.get(item.party_id)
        if row is None:
            row = rows[item.party_id] = DunningRow(party=item.party)
        days = (on - item.due_date).days
        reached = None
        for level in levels:
            if days >= level.days_overdue:
                reached = level
        row.items.append(OverdueItem(item, days, reached))
        row.overdue_total += item.residual_company
        row.current_level = max(row.current_level, item.dunning_level)
        if item.last_dunned_on and (row.last_dunned_on is None or item.last_dunned_on > row.last_dunned_on):
            row.last_dunned_on = item.last_dunned_on
        # When this item next climbs a level: the first level above the one it was reminded at.
        ahead = next((lv for lv in levels if lv.level > item.dunning_level), None)
        if ahead is not None:
            climbs_on = item.due_date + dt.timedelta(days=ahead.days_overdue)
            if row.next_on is None or climbs_on < row.next_on:
                row.next_on, row.next_level = climbs_on, ahead
    if not rows:
        return []
    for proposal in dunning_proposal(company, on, party=party_id):
        if proposal.party.pk in rows:
            rows[proposal.party.pk].proposal = proposal
    letters = (
        DunningLetter.objects.filter(company_id=company.pk, party_id__in=list(rows))
        .values("party_id")
        .annotate(n=Count("pk"), last=Max("date"))
        .order_by()
    )
    for found in letters:
        rows[found["party_id"]].letters = found["n"]
        rows[found["party_id"]].last_letter_on = found["last"]
    return list(rows.values())


def letters_of(company: Any, party: Any):
    """The reminders a customer was sent, newest first."""
    return DunningLetter.objects.filter(
        company_id=getattr(company, "pk", company), party_id=getattr(party, "pk", party)
    ).order_by("-date", "-pk")


@dataclass
class DunningLetterPreview:
    """The reminder that is due for a customer on a day, as `send_dunning_letters` would write it,
    but not recorded: the letter and its lines are unsaved, numbered "(draft)", and no fee is
    charged. The printed letter (payments/pdf/dunning_letter.html) renders from it."""

    letter: DunningLetter
    lines: list[DunningLetterLine]
    address: Address | None  # where the letter goes: the customer's default address

    @property
    def total(self) -> Decimal:
        """What the letter asks the customer to pay: the overdue invoices and the fee."""
        return self.letter.overdue_total + self.letter.fee


def dunning_letter_preview(
    company: Any, party: Party, on: dt.date | None = None
) -> DunningLetterPreview | None:
    """The letter `party` is due on `on` (default today) — of the level its most overdue item
    reached, with that level's text and fee — or None when no reminder is due that day."""
    on = on or dt.date.today()
    proposal = next(iter(dunning_proposal(company, on, party=party)), None)
    if proposal is None:
        return None
    level = proposal.level
    letter = DunningLetter(
        company=company,
        party=party,
        number=gettext("(draft)"),
        level=level.level,
        date=on,
        currency_id=proposal.currency,
        overdue_total=proposal.overdue_total,
        fee=level.fee,
        text=level.text,
    )
    lines = [
        DunningLetterLine(open_item=item, level=reached, days_overdue=days, residual=item.residual)
        for item, days, reached in proposal.items
    ]
    address = party.addresses.order_by("-is_default", "pk").first()
    return DunningLetterPreview(letter=letter, lines=lines, address=address)
