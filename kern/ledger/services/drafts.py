"""Draft entries: typed in by hand (the entry form), saved unbalanced if need be, posted later.

A draft's lines live in DraftLine and are freely editable; posting runs the draft through the
same checks and writes as `post_entry`, and the draft row itself becomes the posted entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from kern.core import context
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.money import InvalidAmount, to_decimal
from kern.ledger.exceptions import LedgerCode, LedgerConflict, LedgerInvalid, UnknownAccount, UnknownTaxCode
from kern.ledger.models import Account, DraftLine, EntryStatus, JournalEntry, TaxCode
from kern.ledger.selectors.config import config_for
from kern.ledger.services.posting import post_drafts
from kern.ledger.specs import ZERO, EntrySpec, LineSpec, SourceRef

__all__ = ["create_draft", "delete_draft", "post_draft", "update_draft"]


class _Acting:
    def __init__(self, by: Any):
        self.by = by
        self.ctx = context.acting(by) if by is not None else None

    def __enter__(self) -> None:
        if self.ctx is not None:
            self.ctx.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(*exc)


def _draft_lines(company: Any, entry: JournalEntry, lines: Sequence[LineSpec]) -> list[DraftLine]:
    cfg = config_for(company)
    accounts = {
        a.code: a
        for a in Account.objects.filter(company=company, code__in={ln.account for ln in lines if ln.account})
    }
    taxes = {
        t.code: t
        for t in TaxCode.objects.filter(
            company=company, code__in={ln.tax_code for ln in lines if ln.tax_code}
        )
    }
    rows = []
    for n, ln in enumerate(lines, start=1):
        where = f"lines[{n - 1}]"
        if ln.role:
            account_id = cfg.roles.get(ln.role)
            if account_id is None:
                raise UnknownAccount(
                    f"{where}.role: " + _("no account has the role %(role)r") % {"role": ln.role},
                    errors={f"{where}.role": [_("unknown role")]},
                )
            account = Account.objects.get(pk=account_id)
        else:
            account = accounts.get(ln.account)
            if account is None:
                raise UnknownAccount(
                    f"{where}.account: " + _("there is no account %(code)r") % {"code": ln.account},
                    errors={f"{where}.account": [_("unknown account %(code)r") % {"code": ln.account}]},
                )
        tax = None
        if ln.tax_code:
            tax = taxes.get(ln.tax_code)
            if tax is None:
                raise UnknownTaxCode(
                    f"{where}.tax_code: " + _("there is no tax code %(code)r") % {"code": ln.tax_code},
                    errors={f"{where}.tax_code": [_("unknown tax code %(code)r") % {"code": ln.tax_code}]},
                )
        try:
            debit, credit = to_decimal(ln.debit or ZERO), to_decimal(ln.credit or ZERO)
        except InvalidAmount as exc:
            raise LedgerInvalid(
                f"{where}: {exc}", code=LedgerCode.INVALID_LINE, errors={where: [str(exc)]}
            ) from None
        if debit < 0 or credit < 0 or (debit and credit):
            raise LedgerInvalid(
                f"{where}: " + _("a line is a debit or a credit, not negative and not both"),
                code=LedgerCode.INVALID_LINE,
                errors={where: [_("a debit or a credit")]},
            )
        rows.append(
            DraftLine(
                company_id=entry.company_id,
                entry=entry,
                line_no=n,
                account=account,
                party_id=ln.party_id,
                debit=debit,
                credit=credit,
                amount_currency=ln.amount_currency,
                currency=(ln.currency or "").upper(),
                tax_code=tax,
                description=ln.description or "",
                analytic=ln.analytic,
                due_date=ln.due_date,
            )
        )
    return rows


def create_draft(
    company: Any,
    *,
    journal: str,
    on: dt.date,
    lines: Sequence[LineSpec] = (),
    memo: str = "",
    source: SourceRef | None = None,
    by: Any = None,
) -> JournalEntry:
    """Save an entry without posting it: no number, no effect on balances; may be unbalanced."""
    cfg = config_for(company)
    info = cfg.journals_by_code.get(journal) or cfg.journals_by_kind.get(journal)
    if info is None:
        raise LedgerInvalid(
            "journal: " + _("no journal %(journal)r") % {"journal": journal},
            code=LedgerCode.UNKNOWN_JOURNAL,
            errors={"journal": [_("unknown journal")]},
        )
    with atomic(), _Acting(by):
        entry = JournalEntry(
            company=company,
            journal_id=info.id,
            date=on,
            memo=memo or "",
            status=EntryStatus.DRAFT,
            source_type=source.type if source else "",
            source_id=source.id if source else None,
            source_number=source.number if source else "",
            created_by_id=getattr(by, "pk", None),
        )
        entry.save()
        DraftLine.objects.bulk_create(_draft_lines(company, entry, lines))
    return entry


def _require_draft(entry: JournalEntry) -> None:
    if entry.status != EntryStatus.DRAFT:
        raise LedgerConflict(
            _("journal entry %(number)s is posted and cannot be changed: reverse it instead")
            % {"number": entry.number},
            code=LedgerCode.ENTRY_POSTED,
        )


def update_draft(
    entry: JournalEntry,
    *,
    lines: Sequence[LineSpec] | None = None,
    on: dt.date | None = None,
    memo: str | None = None,
    journal: str | None = None,
    by: Any = None,
) -> JournalEntry:
    _require_draft(entry)
    with atomic(), _Acting(by):
        if journal is not None:
            cfg = config_for(entry.company_id)
            info = cfg.journals_by_code.get(journal) or cfg.journals_by_kind.get(journal)
            if info is None:
                raise ValidationFailed.on("journal", _("no journal %(journal)r") % {"journal": journal})
            entry.journal_id = info.id
        if on is not None:
            entry.date = on
        if memo is not None:
            entry.memo = memo
        entry.save()
        if lines is not None:
            DraftLine.objects.filter(entry=entry).delete()
            DraftLine.objects.bulk_create(_draft_lines(entry.company, entry, lines))
    return entry


def delete_draft(entry: JournalEntry, *, by: Any = None) -> None:
    _require_draft(entry)
    with atomic(), _Acting(by):
        DraftLine.objects.filter(entry=entry).delete()
        entry.delete()


def draft_line_specs(entry: JournalEntry) -> list[LineSpec]:
    return [
        LineSpec(
            account=line.account.code,
            debit=line.debit,
            credit=line.credit,
            party_id=line.party_id,
            amount_currency=line.amount_currency,
            currency=line.currency or None,
            tax_code=line.tax_code.code if line.tax_code_id else None,
            description=line.description,
            analytic=line.analytic,
            due_date=line.due_date,
        )
        for line in entry.draft_lines.select_related("account", "tax_code").order_by("line_no")
    ]


def post_draft(entry: JournalEntry, *, by: Any = None) -> JournalEntry:
    """Post a draft: the same checks as post_entry; the draft gets its number and hash."""
    _require_draft(entry)
    source = SourceRef(entry.source_type, entry.source_id, entry.source_number) if entry.source_type else None
    spec = EntrySpec(
        company=entry.company,
        journal=entry.journal.code,
        on=entry.date,
        lines=draft_line_specs(entry),
        source=source,
        memo=entry.memo,
    )
    return post_drafts([entry], [spec], by=by)[0]
