"""Typed errors of sales. Each has a stable `code`; the API answers with its `status`.

A `title` is English source text marked with `gettext_noop`, translated when the problem is rendered
(kern.core.exceptions); messages are translated when raised. `code` and the context stay the same in
every language.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_noop

from kern.core.exceptions import Conflict, PermissionDenied, ValidationFailed

__all__ = [
    "ApprovalNotAllowed",
    "ApprovalRequired",
    "InvalidConfiguration",
    "LinkInvalid",
    "NothingToInvoice",
    "SalesCode",
    "SalesConflict",
    "SalesInvalid",
]


class SalesCode(StrEnum):
    INVALID_LINE = "invalid_line"
    INVALID_CONFIGURATION = "invalid_configuration"
    APPROVAL_REQUIRED = "approval_required"
    APPROVAL_NOT_ALLOWED = "approval_not_allowed"
    QUOTE_EXPIRED = "quote_expired"
    LINK_INVALID = "link_invalid"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_BLOCKED = "order_blocked"
    ORDER_NOT_CONFIRMED = "order_not_confirmed"
    NOTHING_TO_INVOICE = "nothing_to_invoice"
    NOTHING_TO_SHIP = "nothing_to_ship"
    NOT_EDITABLE = "not_editable"
    NOT_ALLOWED = "not_allowed"
    OVER_RETURN = "over_return"
    OVER_CREDIT = "over_credit"


class SalesInvalid(ValidationFailed):
    """Bad input to a sales service (422)."""

    code = SalesCode.INVALID_LINE


class SalesConflict(Conflict):
    """The document's state refuses the request (409); `code` says why."""


class InvalidConfiguration(SalesInvalid):
    code = SalesCode.INVALID_CONFIGURATION
    title = gettext_noop("Invalid product configuration")


class ApprovalRequired(SalesConflict):
    code = SalesCode.APPROVAL_REQUIRED
    title = gettext_noop("Approval required")


class ApprovalNotAllowed(PermissionDenied):
    code = SalesCode.APPROVAL_NOT_ALLOWED
    title = gettext_noop("Not allowed to approve")


class LinkInvalid(PermissionDenied):
    """An acceptance link that is altered, expired or no longer current (403)."""

    code = SalesCode.LINK_INVALID
    title = gettext_noop("This link is not valid")


class NothingToInvoice(SalesConflict):
    code = SalesCode.NOTHING_TO_INVOICE
    title = gettext_noop("Nothing to invoice")
