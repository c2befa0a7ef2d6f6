"""CRM errors with stable codes (the API answers with them in application/problem+json)."""

from __future__ import annotations

from kern.core.exceptions import Conflict, KernError, ValidationFailed

__all__ = ["CrmValidationError", "LeadAlreadyConverted", "RateLimited", "WonDetailsMissing"]


class CrmValidationError(ValidationFailed):
    code = "crm_invalid"


class LeadAlreadyConverted(Conflict):
    code = "lead_already_converted"
    title = "Lead already converted"


class WonDetailsMissing(ValidationFailed):
    code = "won_details_missing"
    title = "Details needed to mark the opportunity won"


class RateLimited(KernError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"
