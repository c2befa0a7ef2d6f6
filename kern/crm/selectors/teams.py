"""Sales teams as the CRM sees them: which teams a user belongs to and which they manage.

The teams themselves live in sales (quotes, orders and invoices carry them too).
"""

from __future__ import annotations

from typing import Any

from kern.sales.models import SalesTeam

__all__ = ["team_member_ids", "team_names", "teams_of"]


def teams_of(user: Any, company: Any) -> tuple[set[int], set[int]]:
    """(ids of the active teams `user` is a member of, ids of the active teams `user` manages)."""
    company_id = getattr(company, "pk", company)
    cache = user.__dict__.setdefault("_crm_teams", {})
    if company_id not in cache:
        teams = SalesTeam.objects.filter(company_id=company_id, is_active=True)
        member_of = set(teams.filter(members=user).values_list("id", flat=True))
        manages = set(teams.filter(manager=user).values_list("id", flat=True))
        cache[company_id] = (member_of, manages)
    return cache[company_id]


def team_member_ids(team: Any) -> list[int]:
    """The active members of a team in a stable order (round-robin walks this list)."""
    return list(team.members.filter(is_active=True).order_by("id").values_list("id", flat=True))


def team_names(ids: set[int]) -> dict[int, str]:
    return dict(SalesTeam.objects.filter(pk__in=ids).values_list("id", "name"))
