"""Typed errors of the ledger. Each has a stable `code`; the API answers with its `status`.

A `title` is English source text marked with `gettext_noop`, translated when the problem is rendered
(kern.core.exceptions); messages are translated when raised. `code` and the context stay the same in
every language.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kern.core.exceptions import Conflict, ImmutableRecord, ValidationFailed

__all__ = [
    "BeforeLockDate",
    "EntryPosted",
    "LedgerCode",
    "LedgerConflict",
    "LedgerInvalid",
    "NoFiscalYear",
    "PeriodClosed",
    "UnbalancedEntry",
    "UnknownAccount",
    "UnknownTaxCode",
]


class LedgerCode(StrEnum):
    UNBALANCED = "unbalanced_entry"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_TAX_CODE = "unknown_tax_code"
    UNKNOWN_JOURNAL = "unknown_journal"
    ACCOUNT_NOT_POSTABLE = "account_not_postable"
    PARTY_REQUIRED = "party_required"
    INVALID_LINE = "invalid_line"
    PERIOD_CLOSED = "period_closed"
    BEFORE_LOCK_DATE = "before_lock_date"
    NO_FISCAL_YEAR = "no_fiscal_year"
    ENTRY_POSTED = "entry_posted"
    YEAR_CLOSED = "year_closed"
    NOT_ALLOWED = "not_allowed"


class LedgerInvalid(ValidationFailed):
    """Bad input to a ledger service (422)."""


class LedgerConflict(Conflict):
    """The books are in a state that refuses the request (409)."""


class UnbalancedEntry(LedgerInvalid):
    code = LedgerCode.UNBALANCED
    title = gettext_noop("Unbalanced entry")

    def __init__(self, debit: Decimal, credit: Decimal, currency: str = ""):
        difference = debit - credit
        unit = f" {currency}" if currency else ""
        super().__init__(
            _("the entry does not balance: debit %(debit)s, credit %(credit)s, difference %(difference)s")
            % {"debit": f"{debit}{unit}", "credit": f"{credit}{unit}", "difference": f"{difference}{unit}"},
            errors={
                "lines": [
                    _("debit and credit differ by %(difference)s") % {"difference": f"{difference}{unit}"}
                ]
            },
            debit=str(debit),
            credit=str(credit),
            difference=str(difference),
        )
        self.debit = debit
        self.credit = credit
        self.difference = difference


class UnknownAccount(LedgerInvalid):
    code = LedgerCode.UNKNOWN_ACCOUNT
    title = gettext_noop("Unknown account")


class UnknownTaxCode(LedgerInvalid):
    code = LedgerCode.UNKNOWN_TAX_CODE
    title = gettext_noop("Unknown tax code")


class PeriodClosed(LedgerConflict):
    code = LedgerCode.PERIOD_CLOSED
    title = gettext_noop("Period closed")


class BeforeLockDate(LedgerConflict):
    code = LedgerCode.BEFORE_LOCK_DATE
    title = gettext_noop("Before the lock date")


class NoFiscalYear(LedgerConflict):
    code = LedgerCode.NO_FISCAL_YEAR
    title = gettext_noop("No fiscal year")


class EntryPosted(ImmutableRecord):
    code = LedgerCode.ENTRY_POSTED
    title = gettext_noop("Entry is posted")
