"""Typed errors every service raises. Interfaces map them to HTTP answers by `status`.

Each app defines `<App>Error` subclasses with a stable `code`; the web layer shows `message`,
the API answers with an application/problem+json body built from `as_problem()`.
"""

from __future__ import annotations

from typing import Any

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
    title: str = "Bad request"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        **context: Any,
    ):
        super().__init__(message or self.title)
        self.message = message or self.title
        if code:
            self.code = code
        self.errors = errors or {}
        self.context = context

    def as_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://kern.dev/problems/{self.code}",
            "title": self.title,
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
    title = "Not found"


class PermissionDenied(KernError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class Conflict(KernError):
    status = 409
    code = "conflict"
    title = "Conflict"


class ValidationFailed(KernError):
    status = 422
    code = "validation_failed"
    title = "Validation failed"

    @classmethod
    def on(cls, field: str, message: str, **context: Any) -> ValidationFailed:
        return cls(f"{field}: {message}", errors={field: [message]}, **context)


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Invalid state transition"

    def __init__(self, current: str, requested: str, *, document: str = "", message: str = ""):
        what = f"{document} " if document else ""
        super().__init__(
            message or f"{what}cannot go from '{current}' to '{requested}'",
            current=current,
            requested=requested,
        )
        self.current = current
        self.requested = requested


class ImmutableRecord(Conflict):
    code = "immutable"
    title = "Record cannot be changed"
