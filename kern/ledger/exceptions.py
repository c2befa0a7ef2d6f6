"""Typed errors of the ledger. Each has a stable `code`; the API answers with its `status`."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

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
    title = "Unbalanced entry"

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
    title = "Unknown account"


class UnknownTaxCode(LedgerInvalid):
    code = LedgerCode.UNKNOWN_TAX_CODE
    title = "Unknown tax code"


class PeriodClosed(LedgerConflict):
    code = LedgerCode.PERIOD_CLOSED
    title = "Period closed"


class BeforeLockDate(LedgerConflict):
    code = LedgerCode.BEFORE_LOCK_DATE
    title = "Before the lock date"


class NoFiscalYear(LedgerConflict):
    code = LedgerCode.NO_FISCAL_YEAR
    title = "No fiscal year"


class EntryPosted(ImmutableRecord):
    code = LedgerCode.ENTRY_POSTED
    title = "Entry is posted"
