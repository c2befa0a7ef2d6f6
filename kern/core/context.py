"""Who is acting, from which interface, for which company: set once per request, command or task.

Audit rows and services read it from here so no call chain has to pass it along by hand.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Actor", "acting", "current", "update"]


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    interface: str = "system"  # web | api | cli | worker | portal | system
    company_id: int | None = None
    request_id: str = ""
    token_id: int | None = None


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "kern_actor",
    default=Actor(),  # noqa: B039 -- Actor is a frozen dataclass
)


_UNSET = object()


def current() -> Actor:
    return _current.get()


@contextmanager
def acting(
    user: Any = None, *, interface: str | None = None, company: Any = None, **extra: Any
) -> Iterator[Actor]:
    """Run the block as `user` (a User, an id or None) through `interface`."""
    base = _current.get()
    changes: dict[str, Any] = dict(extra)
    if user is not None:
        changes["user_id"] = getattr(user, "pk", user)
    if interface is not None:
        changes["interface"] = interface
    if company is not None:
        changes["company_id"] = getattr(company, "pk", company)
    if "request_id" not in changes and not base.request_id:
        changes["request_id"] = uuid.uuid4().hex[:16]
    # A service called by the user already acting (every service of a request, each step of a
    # flow) keeps the actor as it is: no copy of it (dataclasses.replace was most of this).
    same = all(getattr(base, name, _UNSET) == value for name, value in changes.items())
    token = _current.set(base if same else replace(base, **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def update(user: Any = None, *, company: Any = None, **changes: Any) -> None:
    """Refine the actor for the rest of the current request (e.g. after API token auth).

    The enclosing `acting()` (set by the middleware) restores the previous actor at its end.
    """
    if user is not None:
        changes["user_id"] = getattr(user, "pk", user)
    if company is not None:
        changes["company_id"] = getattr(company, "pk", company)
    _current.set(replace(_current.get(), **changes))
