"""application/problem+json responses (RFC 9457), shared by the API and its middleware.

The `title` is in the request's language (English unless the request asks for Dutch); `code`
and `type` come from the English title and never change with the language.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext, gettext_noop

__all__ = ["PROBLEM_CONTENT_TYPE", "problem_body", "problem_response"]

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: gettext_noop("Bad request"),
    401: gettext_noop("Unauthorized"),
    403: gettext_noop("Forbidden"),
    404: gettext_noop("Not found"),
    405: gettext_noop("Method not allowed"),
    409: gettext_noop("Conflict"),
    413: gettext_noop("Payload too large"),
    415: gettext_noop("Unsupported media type"),
    422: gettext_noop("Validation failed"),
    429: gettext_noop("Too many requests"),
    500: gettext_noop("Internal server error"),
}
_ERROR = gettext_noop("Error")


def problem_body(status: int, detail: str, *, code: str | None = None, **extra: Any) -> dict[str, Any]:
    title = _TITLES.get(status, _ERROR)
    code = code or title.lower().replace(" ", "_")
    body = {
        "type": f"https://kern.dev/problems/{code}",
        "title": gettext(title),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(status: int, detail: str, *, code: str | None = None, **extra: Any) -> HttpResponse:
    body = problem_body(status, detail, code=code, **extra)
    return HttpResponse(json.dumps(body, default=str), status=status, content_type=PROBLEM_CONTENT_TYPE)
