from __future__ import annotations

from kern.core.exceptions import Conflict, ValidationFailed

__all__ = ["PartyInUse", "PartyValidationError"]


class PartyValidationError(ValidationFailed):
    code = "party_invalid"


class PartyInUse(Conflict):
    code = "party_in_use"
    title = "Party is in use"
