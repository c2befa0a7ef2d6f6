"""Typed errors every service raises. Interfaces map them to HTTP answers by `status`.

Each app defines `<App>Error` subclasses with a stable `code`; the web layer shows `message`,
the API answers with an application/problem+json body built from `as_problem()`.

A `title` is English source text, marked with `gettext_noop` so the catalogue has it: it stays a
plain string on the class and is translated into the request's language only when a problem is
rendered. `code` and `type` are never translated; clients key on them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

__all__ = [
    "Conflict",
    "ImmutableRecord",
    "InvalidTransition",
    "KernError",
    "NotFound",
    "PermissionDenied",
    "ValidationFailed",
]


class KernError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = gettext_noop("Bad request")

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        **context: Any,
    ):
        message = message or gettext(str(self.title))
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}
        self.context = context

    def as_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://kern.dev/problems/{self.code}",
            "title": gettext(str(self.title)),
            "status": self.status,
            "detail": self.message,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = self.errors
        for key, value in self.context.items():
            body.setdefault(key, _jsonable(value))
        return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class NotFound(KernError):
    status = 404
    code = "not_found"
    title = gettext_noop("Not found")


class PermissionDenied(KernError):
    status = 403
    code = "forbidden"
    title = gettext_noop("Forbidden")


class Conflict(KernError):
    status = 409
    code = "conflict"
    title = gettext_noop("Conflict")


class ValidationFailed(KernError):
    status = 422
    code = "validation_failed"
    title = gettext_noop("Validation failed")

    @classmethod
    def on(cls, field: str, message: str, **context: Any) -> ValidationFailed:
        return cls(f"{field}: {message}", errors={field: [message]}, **context)


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = gettext_noop("Invalid state transition")

    def __init__(
        self,
        current: str,
        requested: str,
        *,
        document: str = "",
        message: str = "",
        current_label: str = "",
        requested_label: str = "",
    ):
        # The sentence names the statuses by their labels where the caller has them (in the
        # user's language); `current`/`requested` stay the raw values clients compare against.
        if not message:
            names = {
                "document": document,
                "current": current_label or current,
                "requested": requested_label or requested,
            }
            if document:
                message = gettext("%(document)s cannot go from '%(current)s' to '%(requested)s'") % names
            else:
                message = gettext("cannot go from '%(current)s' to '%(requested)s'") % names
        super().__init__(message, current=current, requested=requested)
        self.current = current
        self.requested = requested


class ImmutableRecord(Conflict):
    code = "immutable"
    title = gettext_noop("Record cannot be changed")
