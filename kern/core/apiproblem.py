"""application/problem+json responses (RFC 9457), shared by the API and its middleware."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

__all__ = ["PROBLEM_CONTENT_TYPE", "problem_body", "problem_response"]

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
}


def problem_body(status: int, detail: str, *, code: str | None = None, **extra: Any) -> dict[str, Any]:
    code = code or _TITLES.get(status, "error").lower().replace(" ", "_")
    body = {
        "type": f"https://kern.dev/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(status: int, detail: str, *, code: str | None = None, **extra: Any) -> HttpResponse:
    body = problem_body(status, detail, code=code, **extra)
    return HttpResponse(json.dumps(body, default=str), status=status, content_type=PROBLEM_CONTENT_TYPE)
