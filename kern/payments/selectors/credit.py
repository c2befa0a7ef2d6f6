"""Reads of the customer credit screen: a party's open credit (money kept as credit, credit notes)
next to its open invoices, which parties have credit to use, and what an allocation would leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kern.payments.models import OpenItem, OpenItemKind, OpenItemStatus

__all__ = [
    "CreditAllocation",
    "CreditParty",
    "CreditPosition",
    "credit_allocation",
    "credit_position",
    "parties_with_credit",
]

ZERO = Decimal("0")
OPEN = [OpenItemStatus.OPEN, OpenItemStatus.PARTIAL]


@dataclass
class CreditPosition:
    kind: str
    credits: list[OpenItem] = field(default_factory=list)  # negative residuals: what the party has to use
    debits: list[OpenItem] = field(default_factory=list)  # positive residuals: what is still to settle

    @property
    def credit_total(self) -> Decimal:
        """Company currency, as a positive amount."""
        return -sum((i.residual_company for i in self.credits), ZERO)

    @property
    def debit_total(self) -> Decimal:
        return sum((i.residual_company for i in self.debits), ZERO)


def credit_position(company: Any, party: Any, kind: str = OpenItemKind.RECEIVABLE) -> CreditPosition:
    """The party's open credits and open debits of one kind (receivable: a customer; payable: a
    vendor), oldest first, in one query."""
    position = CreditPosition(kind=kind)
    for item in (
        OpenItem.objects.filter(
            company_id=getattr(company, "pk", company),
            party_id=getattr(party, "pk", party),
            kind=kind,
            status__in=OPEN,
        )
        .exclude(residual=0)
        .order_by("due_date", "pk")
    ):
        (position.credits if item.residual < 0 else position.debits).append(item)
    return position


@dataclass
class CreditParty:
    party_id: int
    party_name: str
    party_number: str
    kind: str
    credit: Decimal  # company currency, positive
    credits: int
    open_debits: Decimal


def parties_with_credit(company: Any) -> list[CreditParty]:
    """Every party with open credit, per kind, with what it still owes (or is owed) beside it."""
    rows = (
        OpenItem.objects.filter(company_id=getattr(company, "pk", company), status__in=OPEN)
        .exclude(residual=0)
        .values("party_id", "party__name", "party__number", "kind")
        .annotate(
            credit=Sum("residual_company", filter=Q(residual__lt=0)),
            credits=Count("pk", filter=Q(residual__lt=0)),
            debits=Sum("residual_company", filter=Q(residual__gt=0)),
        )
        .filter(credits__gt=0)
        .order_by("party__name", "party_id", "kind")
    )
    return [
        CreditParty(
            party_id=row["party_id"],
            party_name=row["party__name"],
            party_number=row["party__number"],
            kind=row["kind"],
            credit=-(row["credit"] or ZERO),
            credits=row["credits"],
            open_debits=(row["debits"] or ZERO) + ZERO,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CreditAllocation:
    """What using `amount` of a credit on a debit leaves of both (item currency). The residuals
    are taken when the preview is made: the service updates the items it is given in place."""

    credit: OpenItem
    debit: OpenItem
    amount: Decimal
    most: Decimal  # the most that can be used: the smaller of the two residuals
    credit_before: Decimal
    debit_before: Decimal

    @property
    def credit_after(self) -> Decimal:
        return self.credit_before + self.amount

    @property
    def debit_after(self) -> Decimal:
        return self.debit_before - self.amount


def credit_allocation(credit: OpenItem, debit: OpenItem, amount: Decimal | None = None) -> CreditAllocation:
    """The preview of `allocate_credit(credit, debit, amount=amount)`: by default as much as both allow."""
    most = min(abs(credit.residual), abs(debit.residual))
    return CreditAllocation(
        credit=credit,
        debit=debit,
        amount=most if amount is None else amount,
        most=most,
        credit_before=credit.residual,
        debit_before=debit.residual,
    )
