"""Reads of the shell: does a user have to log in with a second factor?"""

from __future__ import annotations

from typing import Any

from django_otp import user_has_device

from kern.core.selectors import companies_of, roles_of

__all__ = ["has_two_factor", "two_factor_required"]


def two_factor_required(user: Any) -> bool:
    """True when a company the user works for requires a second factor for one of their roles."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(roles_of(user))
    if not roles:
        return False
    for required in companies_of(user).values_list("two_factor_roles", flat=True):
        if roles & set(required or []):
            return True
    return False


def has_two_factor(user: Any) -> bool:
    return user_has_device(user, confirmed=True)
