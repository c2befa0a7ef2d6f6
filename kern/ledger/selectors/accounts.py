"""Reads of the chart: the account that plays a role, accounts by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kern.core.exceptions import NotFound
from kern.ledger.exceptions import UnknownAccount
from kern.ledger.models import Account, Books, Journal
from kern.ledger.selectors.config import config_for

__all__ = ["account_by_code", "account_for", "books_of", "journal_for"]


def account_for(company: Any, role: str) -> Account:
    """The account that plays `role` (receivable, revenue, vat_input …) for the company."""
    company_id = getattr(company, "pk", company)
    account = Account.objects.filter(company_id=company_id, roles__role=role).first()
    if account is None:
        raise UnknownAccount(
            "role: " + _("no account plays the role %(role)r in this company") % {"role": role},
            errors={"role": [_("no account has the role %(role)r") % {"role": role}]},
        )
    return account


def account_by_code(company: Any, code: str) -> Account:
    account = Account.objects.filter(company_id=getattr(company, "pk", company), code=code).first()
    if account is None:
        raise UnknownAccount(
            "account: " + _("there is no account %(code)r") % {"code": code},
            errors={"account": [_("unknown account %(code)r") % {"code": code}]},
        )
    return account


def journal_for(company: Any, code_or_kind: str) -> Journal:
    """The journal with this code, or the first active journal of this kind."""
    cfg = config_for(company)
    info = cfg.journals_by_code.get(code_or_kind) or cfg.journals_by_kind.get(code_or_kind)
    if info is None:
        raise NotFound(_("no journal %(journal)r") % {"journal": code_or_kind})
    return Journal.objects.get(pk=info.id)


def books_of(company: Any) -> Books:
    books = Books.objects.filter(company_id=getattr(company, "pk", company)).first()
    if books is None:
        raise NotFound(_("this company has no books"))
    return books
