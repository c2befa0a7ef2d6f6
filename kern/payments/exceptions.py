"""Typed errors of payments. Each has a stable `code`; the API answers with its `status`.

A `title` is English source text marked with `gettext_noop`, translated when the problem is rendered
(kern.core.exceptions); messages are translated when raised. `code` and the context stay the same in
every language.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_noop

from kern.core.exceptions import Conflict, PermissionDenied, ValidationFailed

__all__ = [
    "AlreadySettled",
    "DuplicateStatement",
    "NotAStatement",
    "PaymentsCode",
    "PaymentsConflict",
    "PaymentsInvalid",
    "SegregationOfDuties",
]


class PaymentsCode(StrEnum):
    INVALID = "payments_invalid"
    CONFLICT = "payments_conflict"
    ALREADY_SETTLED = "already_settled"
    OVER_ALLOCATED = "over_allocated"
    CURRENCY_MISMATCH = "currency_mismatch"
    WRONG_PARTY = "wrong_party"
    CREDIT_USED = "credit_used"
    NOT_A_STATEMENT = "not_a_statement"
    DUPLICATE_STATEMENT = "duplicate_statement"
    LINE_DONE = "statement_line_done"
    SEGREGATION = "segregation_of_duties"
    ALREADY_APPROVED = "already_approved"
    NOTHING_TO_PAY = "nothing_to_pay"
    NO_BANK_ACCOUNT = "no_bank_account"


class PaymentsInvalid(ValidationFailed):
    code = PaymentsCode.INVALID


class PaymentsConflict(Conflict):
    code = PaymentsCode.CONFLICT


class AlreadySettled(PaymentsConflict):
    """The open item no longer has what the allocation wanted to settle (someone paid first)."""

    code = PaymentsCode.ALREADY_SETTLED
    title = gettext_noop("Already settled")


class NotAStatement(PaymentsInvalid):
    code = PaymentsCode.NOT_A_STATEMENT
    title = gettext_noop("Not a bank statement")


class DuplicateStatement(PaymentsConflict):
    code = PaymentsCode.DUPLICATE_STATEMENT
    title = gettext_noop("Statement already imported")


class SegregationOfDuties(PermissionDenied):
    code = PaymentsCode.SEGREGATION
    title = gettext_noop("Segregation of duties")
