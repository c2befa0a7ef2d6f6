"""The company a signed-in user works in, chosen in the session (read by kern.core.middleware)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kern.core.middleware import SESSION_COMPANY
from kern.core.selectors import get_company_for

__all__ = ["choose_company"]


def choose_company(request: HttpRequest, company_id: Any) -> Any:
    """Work in another of the user's companies from the next request on; NotFound if not a member."""
    try:
        company = get_company_for(request.user, int(company_id))
    except (TypeError, ValueError):
        from kern.core.exceptions import NotFound

        raise NotFound("company not found") from None
    request.session[SESSION_COMPANY] = company.pk
    request.company = company
    return company
