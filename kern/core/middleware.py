"""Per-request context: the acting user, the interface and the company the user works in."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kern.core import context

SESSION_COMPANY = "kern_company_id"


def company_for_request(request: HttpRequest):
    """The company the signed-in user works in: the one chosen in the session, if a member."""
    from kern.core.selectors import companies_of, default_company_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    chosen = request.session.get(SESSION_COMPANY)
    if chosen:
        company = companies_of(user).filter(pk=chosen).first()
        if company is not None:
            return company
    company = default_company_of(user)
    if company is not None:
        request.session[SESSION_COMPANY] = company.pk
    return company


# The portal's staff pages (inviting a contact, revoking a login) live under this prefix.
PORTAL_STAFF_PREFIX = "/portal/staff/"


def interface_for_request(request: HttpRequest) -> str:
    """The interface audit rows name: "api" under /api/; under /portal/ "portal", except on the
    portal's staff pages, where a signed-in staff user (a user with a staff role) works as staff:
    "web". The page decides, not the user: a staff member who also has a portal login, acting on
    the customers' own pages, acts as that customer. "web" everywhere else."""
    path = request.path_info
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/portal/"):
        if not path.startswith(PORTAL_STAFF_PREFIX):
            return "portal"
        user = getattr(request, "user", None)
        staff = user is not None and user.is_authenticated and user.is_staff
        return "web" if staff else "portal"
    return "web"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        interface = interface_for_request(request)
        request_id = request.headers.get("X-Request-Id", "")[:32] or uuid.uuid4().hex[:16]
        user = getattr(request, "user", None)
        company = None
        if interface != "api" and user is not None and user.is_authenticated:
            company = company_for_request(request)
        request.company = company
        with context.acting(
            user if user is not None and user.is_authenticated else None,
            interface=interface,
            company=company,
            request_id=request_id,
        ):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response
