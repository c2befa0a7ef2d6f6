"""Dunning: reminder letters by level, with fees, for customers' overdue invoices.

Every company starts with three levels (a friendly reminder 7 days after the due date, a second
one at 21 days with a fee, a final notice at 35 days with a higher fee), editable per company.
Sending a level's letter records it, raises each item's dunning level, and charges the fee: a
ledger entry receivable → the fee income account, and an open item, so the fee is collected
and aged like an invoice. The letter itself is HTML rendered to PDF (WeasyPrint) on demand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kern.core import audit
from kern.core.db import atomic
from kern.core.events import Event
from kern.core.models import Company
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.ledger.models import Account
from kern.ledger.selectors import account_by_code, account_for
from kern.ledger.services import LineSpec, SourceRef, post_entry
from kern.payments.exceptions import PaymentsConflict
from kern.payments.models import DunningLetter, DunningLetterLine, DunningLevel, OpenItem, OpenItemKind
from kern.payments.selectors.reports import dunning_proposal
from kern.payments.services.openitems import acting, invalid, money, register_open_item

__all__ = [
    "DEFAULT_LEVELS",
    "create_dunning_level",
    "install_dunning_levels",
    "on_company_created",
    "send_dunning_letters",
    "update_dunning_level",
]

DEFAULT_LEVELS = (
    (
        1,
        gettext_lazy("Payment reminder"),
        7,
        Decimal("0"),
        gettext_lazy(
            "Our records show that the invoices below are past their due date. Perhaps this escaped "
            "your attention; we kindly ask you to pay them within 7 days."
        ),
    ),
    (
        2,
        gettext_lazy("Second reminder"),
        21,
        Decimal("15.00"),
        gettext_lazy(
            "Despite our earlier reminder the invoices below are still unpaid. Please pay them, with "
            "the administration fee, within 7 days."
        ),
    ),
    (
        3,
        gettext_lazy("Final notice"),
        35,
        Decimal("40.00"),
        gettext_lazy(
            "The invoices below remain unpaid. Unless we receive payment within 7 days we will hand "
            "the claim to a collection agency; further costs will then be charged to you."
        ),
    ),
)


def install_dunning_levels(company: Company) -> list[DunningLevel]:
    levels = [
        DunningLevel(company=company, level=n, name=str(name), days_overdue=days, fee=fee, text=str(text))
        for n, name, days, fee, text in DEFAULT_LEVELS
    ]
    DunningLevel.objects.bulk_create(levels)
    audit.record_created(levels)
    return levels


def on_company_created(event: Event) -> None:
    """In-transaction subscriber of core.company_created: default dunning levels."""
    company = Company.objects.get(pk=event.payload["company_id"])
    if not DunningLevel.objects.filter(company=company).exists():
        install_dunning_levels(company)


def _check_level_free(dunning_level: DunningLevel) -> None:
    """A level number is used once per company: say so on the field (the constraint's own
    message would name the constraint)."""
    number = dunning_level.level
    if not isinstance(number, int) or isinstance(number, bool):
        return  # validated() reports it
    taken = (
        DunningLevel.objects.filter(company_id=dunning_level.company_id, level=number)
        .exclude(pk=dunning_level.pk)
        .first()
    )
    if taken is not None:
        raise invalid(
            "level", _("there is a level %(level)s already: %(name)s") % {"level": number, "name": taken.name}
        )


def create_dunning_level(company: Company, *, by: Any = None, **fields: Any) -> DunningLevel:
    level = DunningLevel(company=company, **fields)
    _check_level_free(level)
    validated(level)
    with atomic(), acting(by):
        level.save()
    return level


def update_dunning_level(dunning_level: DunningLevel, /, *, by: Any = None, **fields: Any) -> DunningLevel:
    """Change a level's fields; positional-only, so the level's own `level` number can be one of them."""
    for name, value in fields.items():
        setattr(dunning_level, name, value)
    _check_level_free(dunning_level)
    validated(dunning_level)
    with atomic(), acting(by):
        dunning_level.save()
    return dunning_level


def _fee_account(company: Company) -> str:
    """Where fees are income: the company's setting, else an 'other income' account, else the
    services revenue account."""
    code = (company.settings or {}).get("payments", {}).get("dunning_fee_account")
    if code:
        return account_by_code(company, code).code
    other = (
        Account.objects.filter(company=company, subtype="other_income", is_group=False, is_active=True)
        .order_by("code")
        .first()
    )
    return other.code if other is not None else account_for(company, "revenue_services").code


def send_dunning_letters(
    company: Company, *, on: dt.date | None = None, parties: list[Any] | None = None, by: Any = None
) -> list[DunningLetter]:
    """Write the letters the dunning proposal asks for (of the given customers, or all)."""
    on = on or dt.date.today()
    wanted = {getattr(p, "pk", p) for p in parties} if parties else None
    proposals = [p for p in dunning_proposal(company, on) if wanted is None or p.party.pk in wanted]
    if not proposals:
        raise PaymentsConflict(_("no customer is due a reminder on this date"))
    letters = []
    with atomic(), acting(by):
        for proposal in proposals:
            level = proposal.level
            fee = money(level.fee, company.base_currency_id, "fee")
            letter = DunningLetter(
                company=company,
                number=next_number(company, "payments.dunning", on),
                party=proposal.party,
                level=level.level,
                date=on,
                currency_id=proposal.currency,
                overdue_total=proposal.overdue_total,
                fee=fee,
                text=level.text,
                created_by_id=getattr(by, "pk", by),
            )
            letter.save(force_insert=True)
            rows = [
                DunningLetterLine(
                    company=company,
                    letter=letter,
                    open_item=item,
                    level=reached,
                    days_overdue=days,
                    residual=item.residual,
                )
                for item, days, reached in proposal.items
            ]
            DunningLetterLine.objects.bulk_create(rows)
            audit.record_created(rows)
            by_level: dict[int, list[OpenItem]] = defaultdict(list)
            for item, _days, reached in proposal.items:
                if reached > item.dunning_level:
                    by_level[reached].append(item)
            for reached, items in by_level.items():
                OpenItem.objects.filter(pk__in=[i.pk for i in items]).update(
                    dunning_level=reached, last_dunned_on=on
                )
                for item in items:
                    old = {"dunning_level": item.dunning_level, "last_dunned_on": item.last_dunned_on}
                    item.dunning_level, item.last_dunned_on = reached, on
                    audit.record_change(item, old)
            if fee > 0:
                entry = post_entry(
                    company=company,
                    journal="sale",
                    on=on,
                    lines=[
                        LineSpec(
                            role="receivable",
                            party_id=proposal.party.pk,
                            debit=fee,
                            description=f"fee {letter.number}",
                        ),
                        LineSpec(
                            account=_fee_account(company), credit=fee, description=f"fee {letter.number}"
                        ),
                    ],
                    source=SourceRef("payments.dunningletter", letter.pk, letter.number),
                    memo=f"dunning fee {letter.number}",
                    by=by,
                )
                fee_item = register_open_item(
                    company,
                    kind=OpenItemKind.RECEIVABLE,
                    party=proposal.party,
                    source_type="payments.dunningletter",
                    source_id=letter.pk,
                    number=letter.number,
                    reference=letter.number,
                    document_date=on,
                    due_date=on + dt.timedelta(days=7),
                    amount=fee,
                    amount_company=fee,
                    entry=entry,
                )
                DunningLetter.objects.filter(pk=letter.pk).update(fee_item=fee_item)
                letter.fee_item = fee_item
            letters.append(letter)
    return letters
