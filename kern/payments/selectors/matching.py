"""Finding what a bank statement line pays: an existing payment, open items named in its
reference, or the open items of the party whose IBAN it came from, by amount."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from kern.parties.models import BankAccount, normalise_name
from kern.payments.models import (
    OpenItem,
    OpenItemKind,
    OpenItemStatus,
    Payment,
    PaymentDirection,
    PaymentStatus,
    StatementLine,
)

__all__ = ["Match", "match_for_line", "reference_tokens"]

ZERO = Decimal("0")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/.]*[A-Za-z0-9]")
# References people type in groups: "RF18 5390 0754 7034", a betalingskenmerk "1234 5678 9012 3456".
_GROUPED = re.compile(r"\bRF\d{2}(?:\s?[A-Za-z0-9]{1,4}){1,6}\b|\b\d{4}(?:\s?\d{4}){3}\b", re.IGNORECASE)


@dataclass
class Match:
    """What a line settles: an existing payment, or a party with items to allocate."""

    reason: str
    payment: Payment | None = None
    party_id: int | None = None
    items: list[OpenItem] = field(default_factory=list)


def reference_tokens(*texts: str) -> set[str]:
    """Words of a remittance that could be a document number or payment reference."""
    tokens: set[str] = set()
    for text in texts:
        if not text:
            continue
        compact = text.replace(" ", "")
        if compact.isalnum() and len(compact) >= 6:
            tokens.add(compact.upper())  # a reference written in groups: "RF18 5390 0754 7034"
        for grouped in _GROUPED.findall(text):
            tokens.add(grouped.replace(" ", "").upper())
        for token in _TOKEN.findall(text):
            if any(ch.isdigit() for ch in token) and len(token) >= 4:
                tokens.add(token.upper())
    return tokens


def _open_items(company_id: int, kind: str) -> Any:
    return OpenItem.objects.filter(
        company_id=company_id,
        kind=kind,
        status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
        payment_blocked=False,
    )


def _natural(line: StatementLine) -> tuple[str, str]:
    """Money in settles receivables (customer invoices); money out settles payables."""
    if line.amount > 0:
        return PaymentDirection.INCOMING, OpenItemKind.RECEIVABLE
    return PaymentDirection.OUTGOING, OpenItemKind.PAYABLE


def _discounted(item: OpenItem, on) -> Decimal:
    if (
        item.discount_amount
        and item.discount_date
        and on <= item.discount_date
        and item.residual == item.amount
    ):
        return item.residual - item.discount_amount
    return item.residual


def match_for_line(line: StatementLine, bank_journal_id: int | None = None) -> Match | None:
    direction, kind = _natural(line)
    amount = abs(line.amount)
    company_id = line.company_id
    on = line.booking_date
    # 1. A payment Kern already booked (a payment run, a payment entered by hand).
    payments = Payment.objects.filter(
        company_id=company_id,
        direction=direction,
        status=PaymentStatus.POSTED,
        is_reconciled=False,
        amount=amount,
        currency_id=line.currency_id,
    )
    if line.end_to_end_id:
        found = payments.filter(number=line.end_to_end_id).first()
        if found is not None:
            return Match("end-to-end id", payment=found, party_id=found.party_id)
    tokens = reference_tokens(line.structured_reference, line.remittance, line.end_to_end_id)
    if tokens:
        found = payments.filter(Q(number__in=tokens) | Q(reference__in=tokens)).first()
        if found is not None:
            return Match("payment reference", payment=found, party_id=found.party_id)
    iban_parties: list[int] = []
    if line.counterparty_iban:
        iban_parties = sorted(
            set(
                BankAccount.objects.filter(company_id=company_id, iban=line.counterparty_iban).values_list(
                    "party_id", flat=True
                )
            )
        )
    if len(iban_parties) == 1:
        found = list(payments.filter(party_id=iban_parties[0]).order_by("date", "pk")[:2])
        if len(found) == 1:
            return Match("IBAN and amount of a booked payment", payment=found[0], party_id=iban_parties[0])
    # 2. Open items named in the reference.
    if tokens:
        items = list(
            _open_items(company_id, kind)
            .filter(Q(number__in=tokens) | Q(reference__in=tokens), currency_id=line.currency_id)
            .order_by("due_date", "pk")
        )
        natural = [i for i in items if i.residual > 0]
        parties = {i.party_id for i in natural}
        if natural and len(parties) == 1:
            return Match("payment reference", party_id=parties.pop(), items=natural)
    # 3. The party behind the IBAN, by amount.
    if len(iban_parties) == 1:
        party_id = iban_parties[0]
        items = list(
            _open_items(company_id, kind)
            .filter(party_id=party_id, currency_id=line.currency_id, residual__gt=0)
            .order_by("due_date", "pk")
        )
        exact = [i for i in items if amount in (i.residual, _discounted(i, on))]
        if exact:
            return Match("IBAN and amount", party_id=party_id, items=[exact[0]])
        if items and sum((i.residual for i in items), ZERO) == amount:
            return Match("IBAN and the total open", party_id=party_id, items=items)
        return Match("IBAN", party_id=party_id)  # the party is known; what it pays is not
    # 4. The amount alone, when exactly one item fits and the names agree.
    if line.counterparty_name:
        items = list(
            _open_items(company_id, kind)
            .filter(currency_id=line.currency_id, residual=amount)
            .select_related("party")[:2]
        )
        if len(items) == 1:
            name = normalise_name(line.counterparty_name)
            party_name = items[0].party.normalised_name
            if name and party_name and (name in party_name or party_name in name):
                return Match("amount and name", party_id=items[0].party_id, items=items)
    return None
