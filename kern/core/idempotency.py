"""`Idempotency-Key` on creating POSTs to the API.

The first request with a key claims it (a row with no response yet), runs, and stores its
response; a retry with the same key and the same request gets that response again without
running anything; the same key with a different request gets 422; a retry while the first is
still running gets 409. Keys are scoped to the caller (token or signed-in user), so two clients
can never see each other's responses. Server errors and authentication failures release the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from kern.core.apiproblem import problem_response
from kern.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_NOT_STORED = {401, 403, 429}


def _principal(request: HttpRequest) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth:
        return "t:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if not key or request.method != "POST" or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255:
            return problem_response(
                400, "Idempotency-Key is longer than 255 characters", code="bad_idempotency_key"
            )
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    method=request.method,
                    path=request.path[:400],
                    request_hash=digest,
                )
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if earlier is None:  # released in the meantime
                return self.get_response(request)
            if earlier.request_hash != digest:
                return problem_response(
                    422,
                    "This Idempotency-Key was already used with a different request.",
                    code="idempotency_key_reused",
                )
            if earlier.status_code is None:
                return problem_response(
                    409,
                    "A request with this Idempotency-Key is still being processed.",
                    code="idempotency_in_progress",
                )
            replay = HttpResponse(
                bytes(earlier.body), status=earlier.status_code, content_type=earlier.content_type
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in _NOT_STORED or response.streaming:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                body=response.content,
            )
        return response
