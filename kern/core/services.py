"""Writes of core records. Every function runs in core.db.atomic and raises typed errors."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Model
from django.utils import timezone

from kern.core import audit, context
from kern.core.db import atomic, on_commit
from kern.core.events import emit
from kern.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from kern.core.models import (
    ApiToken,
    Attachment,
    Comment,
    Company,
    Currency,
    ExchangeRate,
    Membership,
    SavedFilter,
)
from kern.core.money import UnknownCurrency, minor_units, to_decimal
from kern.core.numbering import next_number, register_scheme
from kern.core.roles import ROLES
from kern.core.tokens import hash_secret, new_secret

__all__ = [
    "add_attachment",
    "add_comment",
    "add_member",
    "create_company",
    "create_user",
    "issue_api_token",
    "next_number",
    "register_scheme",
    "remove_attachment",
    "remove_comment",
    "remove_member",
    "remove_saved_filter",
    "revoke_api_token",
    "save_list_filter",
    "set_exchange_rate",
    "set_roles",
    "update_company",
    "validated",
]

User = get_user_model()


def validated(instance: Model, *, exclude: list[str] | None = None) -> Model:
    """full_clean() the instance; Django's ValidationError becomes ValidationFailed with field errors."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = (
            {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        first_field, first_messages = next(iter(errors.items()))
        raise ValidationFailed(f"{first_field}: {first_messages[0]}", errors=errors) from None
    return instance


def _check_currency(code: str, field: str = "currency") -> str:
    code = (code or "").upper()
    try:
        minor_units(code)
    except UnknownCurrency:
        raise ValidationFailed.on(field, f"unknown currency {code!r}") from None
    if not Currency.objects.filter(code=code, is_active=True).exists():
        raise ValidationFailed.on(field, f"currency {code} is not active")
    return code


def create_company(*, by: Any = None, **fields: Any) -> Company:
    """Create a company; `core.company_created` lets the ledger and others install their defaults."""
    if "base_currency" in fields:
        fields["base_currency_id"] = _check_currency(str(fields.pop("base_currency")), "base_currency")
    company = Company(**fields)
    if company.vat_id:
        company.vat_id = company.vat_id.replace(" ", "").upper()
    if company.iban:
        company.iban = company.iban.replace(" ", "").upper()
    validated(company)
    with atomic():
        company.save()
        if by is not None and getattr(by, "pk", None):
            Membership.objects.create(user=by, company=company, is_default=not by.memberships.exists())
        emit("core.company_created", {"company_id": company.pk}, company=company)
    return company


def update_company(company: Company, *, by: Any = None, **fields: Any) -> Company:
    if "base_currency" in fields:
        fields["base_currency_id"] = _check_currency(str(fields.pop("base_currency")), "base_currency")
    for name, value in fields.items():
        setattr(company, name, value)
    validated(company)
    with atomic(), context.acting(by) if by else nullcontext():
        company.save()
    return company


def create_user(
    username: str,
    *,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    roles: list[str] | None = None,
    companies: list[Company] | None = None,
) -> Any:
    with atomic():
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        if roles:
            set_roles(user, roles)
        for i, company in enumerate(companies or []):
            Membership.objects.get_or_create(user=user, company=company, defaults={"is_default": i == 0})
    return user


def set_roles(user: Any, roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationFailed.on("roles", f"unknown roles: {', '.join(unknown)}")
    with atomic():
        old = sorted(user.groups.values_list("name", flat=True))
        groups = list(Group.objects.filter(name__in=roles))
        missing = sorted(set(roles) - {g.name for g in groups})
        groups += [Group.objects.create(name=name) for name in missing]
        user.groups.set(groups)
        user.is_staff = any(ROLES[r].staff for r in roles)
        user.save(update_fields=["is_staff"])
        audit.record(user, "roles", {"roles": [old, sorted(roles)]}, object_repr=user.get_username())


def add_member(company: Company, user: Any, *, is_default: bool = False) -> Membership:
    with atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user, company=company, defaults={"is_default": is_default}
        )
    return membership


def remove_member(company: Company, user: Any) -> None:
    with atomic():
        for membership in Membership.objects.filter(company=company, user=user):
            membership.delete()
        for token in ApiToken.objects.filter(company=company, user=user, revoked_at__isnull=True):
            revoke_api_token(token)


def set_exchange_rate(
    currency: str,
    rate: Decimal | str,
    *,
    on: dt.date,
    base: str = "EUR",
    company: Company | None = None,
    source: str = "manual",
) -> ExchangeRate:
    currency = _check_currency(currency)
    base = _check_currency(base, "base")
    if currency == base:
        raise ValidationFailed.on("currency", "a currency has no rate against itself")
    value = to_decimal(rate)
    if value <= 0:
        raise ValidationFailed.on("rate", "a rate must be positive")
    with atomic():
        row, _created = ExchangeRate.objects.update_or_create(
            company=company,
            base_id=base,
            currency_id=currency,
            rate_date=on,
            defaults={"rate": value, "source": source},
        )
        audit.record(row, "rate", {"rate": [None, str(value)]}, company_id=getattr(company, "pk", None))
    return row


def issue_api_token(
    user: Any, company: Company, *, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    from kern.core.selectors import is_member

    if not is_member(user, company):
        raise PermissionDenied("the user is not a member of this company")
    if not name.strip():
        raise ValidationFailed.on("name", "a token needs a name")
    if expires_at is not None and not timezone.now() < expires_at < timezone.now() + dt.timedelta(days=3660):
        raise ValidationFailed.on("expires_at", "a token expires in the future, within ten years")
    prefix, secret = new_secret()
    with atomic():
        try:
            token = ApiToken.objects.create(
                user=user,
                company=company,
                name=name.strip(),
                prefix=prefix,
                key_hash=hash_secret(secret),
                expires_at=expires_at,
            )
        except IntegrityError:  # 32 random bits of prefix collided; astronomically rare
            raise ValidationFailed.on("name", "please try again") from None
    return token, secret


def revoke_api_token(token: ApiToken, *, by: Any = None) -> ApiToken:
    if (
        by is not None
        and token.user_id != getattr(by, "pk", None)
        and not by.has_perm("core.change_apitoken")
    ):
        raise NotFound("token not found")
    if token.revoked_at is None:
        with atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


# --- comments and attachments on any record ------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _target(target: Model) -> tuple[int, str, str]:
    company_id = getattr(target, "company_id", None)
    if company_id is None and target._meta.label == "core.Company":
        company_id = target.pk
    if company_id is None:
        raise ValidationFailed.on("target", "only a company's records take comments and attachments")
    return company_id, target._meta.label_lower, str(target.pk)


def add_comment(target: Model, *, body: str, by: Any) -> Comment:
    """A note on any company-owned record, by a signed-in user."""
    company_id, label, object_id = _target(target)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed.on("body", "a comment cannot be empty")
    if len(body) > 10_000:
        raise ValidationFailed.on("body", "a comment has at most 10,000 characters")
    with atomic(), context.acting(by):
        return Comment.objects.create(
            company_id=company_id, target_model=label, target_id=object_id, body=body, author=by
        )


def remove_comment(comment: Comment, *, by: Any) -> None:
    """Authors remove their own comments; whoever may delete comments removes any."""
    if comment.author_id != getattr(by, "pk", None) and not by.has_perm("core.delete_comment"):
        raise PermissionDenied("only the author can remove this comment")
    with atomic(), context.acting(by):
        comment.delete()


def add_attachment(target: Model, *, file: Any, by: Any) -> Attachment:
    """Store an uploaded file (at most 10 MB) against any company-owned record."""
    company_id, label, object_id = _target(target)
    name = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        raise ValidationFailed.on("file", "choose a file to attach")
    size = getattr(file, "size", 0) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed.on("file", "a file can be at most 10 MB")
    with atomic(), context.acting(by):
        attachment = Attachment(
            company_id=company_id,
            target_model=label,
            target_id=object_id,
            filename=name,
            content_type=(getattr(file, "content_type", "") or "application/octet-stream")[:100],
            size=size,
            uploaded_by=by,
        )
        attachment.file.save(name, file, save=False)
        attachment.save()
    return attachment


def remove_attachment(attachment: Attachment, *, by: Any) -> None:
    if attachment.uploaded_by_id != getattr(by, "pk", None) and not by.has_perm("core.delete_attachment"):
        raise PermissionDenied("only the uploader can remove this file")
    with atomic(), context.acting(by):
        attachment.delete()
    # The file goes once the row is really gone (after commit), never before.
    stored = attachment.file
    on_commit(lambda: stored.delete(save=False))


# --- saved list filters ---------------------------------------------------------------------------


def save_list_filter(
    user: Any, company: Company, *, list_key: str, name: str, query: str, columns: list[str] | None = None
) -> SavedFilter:
    """Save (or overwrite, by name) a user's filter of one list page."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.on("name", "give the filter a name")
    if len(name) > 80:
        raise ValidationFailed.on("name", "a name has at most 80 characters")
    if len(query) > 1000:
        raise ValidationFailed.on("query", "the filter is too long to save")
    with atomic():
        saved, _created = SavedFilter.objects.update_or_create(
            user=user,
            company=company,
            list_key=list_key[:80],
            name=name,
            defaults={"query": query, "columns": list(columns or [])},
        )
    return saved


def remove_saved_filter(saved: SavedFilter, *, by: Any) -> None:
    if saved.user_id != getattr(by, "pk", None):
        raise NotFound("saved filter not found")
    with atomic():
        saved.delete()
