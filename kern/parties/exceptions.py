"""Party errors with stable codes. A `title` is English source text, translated when the problem
is rendered; the message is worded in the user's language where it is raised."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from kern.core.exceptions import Conflict, ValidationFailed

__all__ = ["PartyInUse", "PartyValidationError"]


class PartyValidationError(ValidationFailed):
    code = "party_invalid"


class PartyInUse(Conflict):
    code = "party_in_use"
    title = gettext_noop("Party is in use")
