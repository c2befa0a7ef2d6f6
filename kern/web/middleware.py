"""Users whose role requires two-factor login reach no page before they have verified a code."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from kern.web.selectors import two_factor_required

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/login/", "/logout/", "/account/two-factor/", "/password-reset/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith(EXEMPT_PREFIXES)
            and two_factor_required(user)
        ):
            if request.path_info.startswith("/api/"):
                from kern.core.apiproblem import problem_response

                return problem_response(403, "Verify your two-factor code in the browser first.")
            target = reverse("web:two_factor") + "?" + urlencode({"next": request.get_full_path()})
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return self.get_response(request)
