"""Sales teams as the CRM sees them: which teams a user belongs to and which they manage.

The teams themselves live in sales (quotes, orders and invoices carry them too).
"""

from __future__ import annotations

from typing import Any

__all__ = ["team_member_ids", "team_names", "teams_of"]


def teams_of(user: Any, company: Any) -> tuple[set[int], set[int]]:
    """(ids of the teams `user` is a member of, ids of the teams `user` manages)."""
    return set(), set()


def team_member_ids(team: Any) -> list[int]:
    """The user ids of a team's members, in a stable order (for round-robin)."""
    return []


def team_names(ids: set[int]) -> dict[int, str]:
    return {}
