"""Helpers shared by the CRM services."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext

from kern.core import context
from kern.core.selectors import is_member
from kern.crm.exceptions import CrmValidationError


def acting(by: Any) -> AbstractContextManager:
    return context.acting(by) if by is not None else context.acting()


def same_company(company_id: int, field: str, obj: Model | None) -> None:
    """Refuse a reference to another company's row as if it did not exist."""
    if obj is not None and getattr(obj, "company_id", company_id) != company_id:
        raise CrmValidationError.on(field, gettext("not found"))


def resolve(model: type[Model], company_id: int, field: str, value: Any) -> Any:
    """A row of `model` in the company, from an instance or an id (None stays None)."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        same_company(company_id, field, value)
        return value
    try:
        return model._default_manager.get(company_id=company_id, pk=int(value))
    except (model.DoesNotExist, TypeError, ValueError):
        raise CrmValidationError.on(
            field,
            gettext("%(model)s %(value)s not found") % {"model": model._meta.verbose_name, "value": value},
        ) from None


def member(company_id: int, field: str, value: Any) -> Any:
    """A user who works for the company, from an instance or an id."""
    if value in (None, ""):
        return None
    User = get_user_model()
    user = value
    if not isinstance(value, User):
        try:
            user = User.objects.get(pk=int(value))
        except (User.DoesNotExist, TypeError, ValueError):
            raise CrmValidationError.on(field, gettext("user %(user)s not found") % {"user": value}) from None
    if not user.is_active or not is_member(user, company_id):
        raise CrmValidationError.on(
            field, gettext("%(user)s does not work for this company") % {"user": user}
        )
    return user


def text(value: Any, limit: int | None = None) -> str:
    out = str(value or "").strip()
    return out[:limit] if limit else out
