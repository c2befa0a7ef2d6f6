"""Typed errors of purchasing, each with a stable `code`; the API answers with its `status`.

A `title` is English source text marked with `gettext_noop`, translated when the problem is rendered
(kern.core.exceptions); messages are translated when raised. `code` and the context stay the same in
every language.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kern.core.exceptions import Conflict, PermissionDenied, ValidationFailed

__all__ = [
    "ApprovalLimitExceeded",
    "DuplicateBill",
    "EInvoiceRejected",
    "PurchasingCode",
    "PurchasingConflict",
    "PurchasingInvalid",
    "SegregationOfDuties",
]


class PurchasingCode(StrEnum):
    INVALID = "purchasing_invalid"
    CONFLICT = "purchasing_conflict"
    APPROVAL_LIMIT = "approval_limit_exceeded"
    DUPLICATE_BILL = "duplicate_bill"
    EINVOICE_REJECTED = "einvoice_rejected"
    SEGREGATION = "segregation_of_duties"
    NO_VENDOR = "no_vendor"
    NOTHING_TO_BILL = "nothing_to_bill"
    NOT_EDITABLE = "not_editable"


class PurchasingInvalid(ValidationFailed):
    """Bad input to a purchasing service (422)."""

    code = PurchasingCode.INVALID


class PurchasingConflict(Conflict):
    """The document's state refuses the request (409)."""

    code = PurchasingCode.CONFLICT


class ApprovalLimitExceeded(PermissionDenied):
    """The user's roles may not approve an order this large (403)."""

    code = PurchasingCode.APPROVAL_LIMIT
    title = gettext_noop("Approval limit exceeded")


class SegregationOfDuties(PermissionDenied):
    code = PurchasingCode.SEGREGATION
    title = gettext_noop("Segregation of duties")


class DuplicateBill(Conflict):
    """The vendor's bill number is already on another bill of the same vendor (409)."""

    code = PurchasingCode.DUPLICATE_BILL
    title = gettext_noop("Duplicate bill")

    def __init__(self, existing: Any, vendor_reference: str):
        label = existing.number or _("draft #%(id)s") % {"id": existing.pk}
        super().__init__(
            _("%(vendor)s already sent bill %(reference)s: it is recorded as %(bill)s")
            % {"vendor": existing.vendor, "reference": vendor_reference, "bill": label},
            errors={"vendor_reference": [_("already recorded as %(bill)s") % {"bill": label}]},
            existing_bill_id=existing.pk,
            # machine-readable: the same in every language (the sentence above is the user's)
            existing_bill=existing.number or f"draft #{existing.pk}",
        )
        self.existing = existing


class EInvoiceRejected(ValidationFailed):
    """An e-invoice failed the schema or the EN 16931 checks; nothing was created (422)."""

    code = PurchasingCode.EINVOICE_REJECTED
    title = gettext_noop("E-invoice rejected")

    def __init__(self, findings: list[Any]):
        fatal = [f for f in findings if f.fatal]
        head = "; ".join(f"[{f.rule}] {f.text}" for f in fatal[:5])
        more = " " + _("(+%(count)s more)") % {"count": len(fatal) - 5} if len(fatal) > 5 else ""
        super().__init__(
            _("the e-invoice was rejected: %(findings)s") % {"findings": head + more},
            errors={"file": [f"[{f.rule}] {f.text}" for f in fatal]},
            findings=[f.as_dict() for f in findings],
        )
        self.findings = findings
