"""What every page of the shell needs: the menu, the user's companies and the languages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kern.core.selectors import companies_of
from kern.core.ui import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_areas": [], "my_companies": []}
    # Lazy: pages that never draw the shell (downloads, htmx fragments) pay nothing.
    return {
        "nav_areas": SimpleLazyObject(lambda: nav_for(user)),
        "my_companies": SimpleLazyObject(lambda: list(companies_of(user))),
    }
