"""The machinery every app's API router uses: who is calling, for which company, and how errors look.

Every authenticated request carries a `Principal` in `request.auth`: the user, the company the
call acts for (the token's company, or the session's chosen company) and the token if any. Rows
are always looked up through `scoped(...)`, so an id of another company is simply not found (404)
for every verb.

What the API itself says about a refused request is in the request's language (Accept-Language,
or the language the user chose): its own sentences are translated, and pydantic's field messages
of the common kinds are put in the catalogue's words by their error type.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination
from ninja.security import APIKeyCookie, HttpBearer

from kern.core import context
from kern.core.apiproblem import PROBLEM_CONTENT_TYPE, problem_body
from kern.core.exceptions import KernError, NotFound, PermissionDenied

__all__ = [
    "KernCursorPagination",
    "Principal",
    "Problem",
    "SessionAuth",
    "TokenAuth",
    "install_error_handlers",
    "principal",
    "require_perm",
    "scoped",
]

log = logging.getLogger("kern.api")


@dataclass(frozen=True)
class Principal:
    user: Any
    company: Any
    token: Any = None


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kern_…` — a personal token bound to one company."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        from kern.core.models import ApiToken
        from kern.core.selectors import is_member, token_by_secret

        found = token_by_secret(token.strip())
        if found is None or not is_member(found.user, found.company_id):
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)  # throttled: not audited
        context.update(found.user, company=found.company, token_id=found.pk)
        return Principal(user=found.user, company=found.company, token=found)


class SessionAuth(APIKeyCookie):
    """The browser session (with CSRF on unsafe methods), acting for the session's company."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        from kern.core.middleware import company_for_request

        user = request.user
        if not user.is_authenticated:
            return None
        company = company_for_request(request)
        if company is None:
            return None
        context.update(user, company=company)
        return Principal(user=user, company=company)


def principal(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[return-value]


def require_perm(request: HttpRequest, perm: str) -> Principal:
    who = principal(request)
    if not who.user.has_perm(perm):
        raise PermissionDenied(gettext("you lack the permission %(perm)s") % {"perm": perm})
    return who


def scoped(queryset: QuerySet | type[Model], request: HttpRequest, pk: Any = None) -> Any:
    """The queryset limited to the caller's company; with `pk`, that one row or NotFound."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    qs = qs.filter(company_id=principal(request).company.pk)
    if pk is None:
        return qs
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            gettext("%(what)s %(pk)s not found") % {"what": qs.model._meta.verbose_name, "pk": pk}
        ) from None


class KernCursorPagination(CursorPagination):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("ordering", ("-id",))
        kwargs.setdefault("page_size", settings.KERN_API_PAGE_SIZE)
        kwargs.setdefault("max_page_size", 500)
        super().__init__(**kwargs)


def _respond(api: NinjaAPI, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, default=str), status=body["status"], content_type=PROBLEM_CONTENT_TYPE
    )


# pydantic's messages by error type, in words the catalogue translates. The placeholders are
# the names of the error's `ctx`.
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("Field required"),
    "string_type": gettext_lazy("Input should be a valid string"),
    "int_type": gettext_lazy("Input should be a valid integer"),
    "int_parsing": gettext_lazy("Input should be a valid integer"),
    "int_from_float": gettext_lazy("Input should be a whole number"),
    "float_type": gettext_lazy("Input should be a valid number"),
    "float_parsing": gettext_lazy("Input should be a valid number"),
    "decimal_type": gettext_lazy("Input should be a valid decimal"),
    "decimal_parsing": gettext_lazy("Input should be a valid decimal"),
    "bool_type": gettext_lazy("Input should be a valid boolean"),
    "bool_parsing": gettext_lazy("Input should be a valid boolean"),
    "date_type": gettext_lazy("Input should be a valid date (YYYY-MM-DD)"),
    "date_parsing": gettext_lazy("Input should be a valid date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_lazy("Input should be a valid date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": gettext_lazy("Input should be a valid date (YYYY-MM-DD)"),
    "datetime_type": gettext_lazy("Input should be a valid date and time"),
    "datetime_parsing": gettext_lazy("Input should be a valid date and time"),
    "datetime_from_date_parsing": gettext_lazy("Input should be a valid date and time"),
    "list_type": gettext_lazy("Input should be a valid list"),
    "dict_type": gettext_lazy("Input should be a valid object"),
    "model_type": gettext_lazy("Input should be a valid object"),
    "model_attributes_type": gettext_lazy("Input should be a valid object"),
    "greater_than": gettext_lazy("Input should be greater than %(gt)s"),
    "greater_than_equal": gettext_lazy("Input should be greater than or equal to %(ge)s"),
    "less_than": gettext_lazy("Input should be less than %(lt)s"),
    "less_than_equal": gettext_lazy("Input should be less than or equal to %(le)s"),
    "enum": gettext_lazy("Input should be %(expected)s"),
    "literal_error": gettext_lazy("Input should be %(expected)s"),
    "string_pattern_mismatch": gettext_lazy("String should match pattern '%(pattern)s'"),
    "extra_forbidden": gettext_lazy("Extra inputs are not permitted"),
    "uuid_parsing": gettext_lazy("Input should be a valid UUID"),
    "uuid_type": gettext_lazy("Input should be a valid UUID"),
}

# Those whose wording depends on a number in `ctx`, named as the third argument.
_COUNTED_MESSAGES: dict[str, Any] = {
    "string_too_short": ngettext_lazy(
        "String should have at least %(min_length)s character",
        "String should have at least %(min_length)s characters",
        "min_length",
    ),
    "string_too_long": ngettext_lazy(
        "String should have at most %(max_length)s character",
        "String should have at most %(max_length)s characters",
        "max_length",
    ),
    "too_short": ngettext_lazy(
        "List should have at least %(min_length)s item",
        "List should have at least %(min_length)s items",
        "min_length",
    ),
    "too_long": ngettext_lazy(
        "List should have at most %(max_length)s item",
        "List should have at most %(max_length)s items",
        "max_length",
    ),
    "decimal_max_digits": ngettext_lazy(
        "Decimal input should have no more than %(max_digits)s digit in total",
        "Decimal input should have no more than %(max_digits)s digits in total",
        "max_digits",
    ),
    "decimal_max_places": ngettext_lazy(
        "Decimal input should have no more than %(decimal_places)s decimal place",
        "Decimal input should have no more than %(decimal_places)s decimal places",
        "decimal_places",
    ),
    "decimal_whole_digits": ngettext_lazy(
        "Decimal input should have no more than %(whole_digits)s digit before the decimal point",
        "Decimal input should have no more than %(whole_digits)s digits before the decimal point",
        "whole_digits",
    ),
}


def _field_message(err: dict[str, Any]) -> str:
    """One field error in the request's language. Where the active language has no translation
    (English), pydantic's own message stays: it is the same sentence, often with more detail
    ("…, unable to parse string as an integer")."""
    original = str(err.get("msg", "invalid"))
    kind = str(err.get("type", ""))
    message = _FIELD_MESSAGES.get(kind, _COUNTED_MESSAGES.get(kind))
    if message is None:
        return original
    ctx = dict(err.get("ctx") or {})
    try:
        wording = message % ctx
        with translation.override(None):
            english = message % ctx
    except (KeyError, TypeError, ValueError):
        return original
    return original if wording == english else wording


def _validation_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "data")]
        field = ".".join(loc) or "__all__"
        out.setdefault(field, []).append(_field_message(err))
    return out


def _malformed_json() -> dict[str, Any]:
    return problem_body(400, gettext("The request body is not valid JSON."), code="malformed_json")


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(KernError)
    def kern_error(request: HttpRequest, exc: KernError) -> HttpResponse:
        return _respond(api, request, exc.as_problem())

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        # pydantic's own (English) words tell a body that is not JSON at all from a field error
        said = [str(err.get("msg", "")).lower() for err in exc.errors]
        if any("json" in msg and "decode" in msg for msg in said):
            return _respond(api, request, _malformed_json())
        errors = _validation_errors(exc.errors)
        first = next(iter(errors.items()), ("__all__", [gettext("invalid")]))
        detail = f"{first[0]}: {first[1][0]}"
        return _respond(api, request, problem_body(422, detail, code="validation_failed", errors=errors))

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        first = next(iter(errors.items()))
        return _respond(
            api,
            request,
            problem_body(422, f"{first[0]}: {first[1][0]}", code="validation_failed", errors=errors),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _respond(
            api,
            request,
            problem_body(
                401, gettext("Authentication required: a valid token or session."), code="unauthorized"
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="kern"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, problem_body(404, str(exc) or gettext("Not found"), code="not_found"))

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return _respond(api, request, problem_body(403, str(exc) or gettext("Forbidden"), code="forbidden"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse request body" in str(exc):
            return _respond(api, request, _malformed_json())
        return _respond(api, request, problem_body(exc.status_code, str(exc)))

    @api.exception_handler(OverflowError)
    def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        return _respond(
            api,
            request,
            problem_body(
                422, gettext("A value is out of range: %(reason)s") % {"reason": exc}, code="out_of_range"
            ),
        )

    @api.exception_handler(DataError)
    def database_refused_value(request: HttpRequest, exc: DataError) -> HttpResponse:
        # The database refused a value the schema let through (too long, numeric overflow, a date
        # out of range): the input is at fault, and the transaction has already been rolled back.
        detail = str(exc).splitlines()[0] if str(exc) else gettext("a value does not fit")
        return _respond(
            api,
            request,
            problem_body(
                422, gettext("A value was refused: %(reason)s") % {"reason": detail}, code="value_refused"
            ),
        )

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return _respond(
            api, request, problem_body(500, gettext("An unexpected error occurred; it has been logged."))
        )
