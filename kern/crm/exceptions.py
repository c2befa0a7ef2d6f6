"""CRM errors with stable codes (the API answers with them in application/problem+json).

Refusals are worded in the user's language when raised; a `title` is English source text,
translated when the problem is rendered. `code` and the context keys (`opportunity`,
`retry_after`, …) are machine-readable and never change with the language.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext, gettext_noop, ngettext

from kern.core.exceptions import Conflict, InvalidTransition, KernError, ValidationFailed

__all__ = [
    "CrmValidationError",
    "LeadAlreadyConverted",
    "RateLimited",
    "WonDetailsMissing",
    "refused_transition",
]


def refused_transition(doc: Model, requested: str, *, message: str = "") -> InvalidTransition:
    """The refusal of moving `doc` (an opportunity) from its status to `requested`, worded as
    `kern.core.workflow.transition` words its own: the document by its (translated) name and
    number, the statuses by their labels; `current`/`requested` stay the raw values. `message`,
    when given, is an already translated sentence with `%(document)s` and `%(status)s` (the
    current status's label in lower case). Built only when refusing."""
    meta = type(doc)._meta
    labels = dict(meta.get_field("status").flatchoices)
    current = doc.status
    document = f"{meta.verbose_name} {getattr(doc, 'number', '') or doc.pk}".strip()
    current_label = str(labels.get(str(current), current))
    if message:
        message = message % {"document": document, "status": current_label.lower()}
    return InvalidTransition(
        str(current),
        str(requested),
        document=document,
        message=message,
        current_label=current_label,
        requested_label=str(labels.get(str(requested), requested)),
    )


class CrmValidationError(ValidationFailed):
    code = "crm_invalid"


class LeadAlreadyConverted(Conflict):
    code = "lead_already_converted"
    title = gettext_noop("Lead already converted")

    @classmethod
    def of(cls, lead: Any, opportunity: Any = None) -> LeadAlreadyConverted:
        """The refusal to convert `lead` again, naming the opportunity it became (if any)."""
        if opportunity is not None:
            return cls(
                gettext("lead %(lead)s was already converted into opportunity %(opportunity)s (%(name)s)")
                % {"lead": lead.number, "opportunity": opportunity.number, "name": opportunity.name},
                opportunity=opportunity.number,
                opportunity_id=opportunity.pk,
            )
        return cls(
            gettext("lead %(lead)s was already converted") % {"lead": lead.number}, party_id=lead.party_id
        )


class WonDetailsMissing(ValidationFailed):
    code = "won_details_missing"
    title = gettext_noop("Details needed to mark the opportunity won")


class RateLimited(KernError):
    status = 429
    code = "rate_limited"
    title = gettext_noop("Too many requests")

    @classmethod
    def submissions(cls, minutes: int) -> RateLimited:
        """Too many form posts from one address; the client may retry after `minutes`."""
        return cls(
            ngettext(
                "too many submissions from this address; try again in %(minutes)s minute",
                "too many submissions from this address; try again in %(minutes)s minutes",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=minutes * 60,
        )
