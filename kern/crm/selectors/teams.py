"""Sales teams as the CRM sees them: which teams a user belongs to and which they manage.

The teams themselves live in sales (quotes, orders and invoices carry them too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from kern.sales.models import SalesTeam

__all__ = ["remember_teams", "team_links", "team_member_ids", "team_names", "teams_known", "teams_of"]

MEMBER, MANAGER = "member", "manager"


def team_links(user_id: int, company_id: int) -> list[tuple[str, QuerySet[SalesTeam]]]:
    """The active teams the user is a member of and those they manage, as two querysets to run
    together (visibility adds them to its one query); `remember_teams` keeps the answer."""
    teams = SalesTeam.objects.filter(company_id=company_id, is_active=True)
    return [(MEMBER, teams.filter(members=user_id)), (MANAGER, teams.filter(manager=user_id))]


def teams_known(user: Any, company_id: int) -> bool:
    return company_id in user.__dict__.get("_crm_teams", {})


def remember_teams(user: Any, company_id: int, links: Iterable[tuple[str, int]]) -> None:
    """Keep (MEMBER | MANAGER, team id) pairs on the user object for the rest of the request."""
    member_of, manages = set(), set()
    for link, team_id in links:
        (member_of if link == MEMBER else manages).add(team_id)
    user.__dict__.setdefault("_crm_teams", {})[company_id] = (member_of, manages)


def teams_of(user: Any, company: Any) -> tuple[set[int], set[int]]:
    """(ids of the active teams `user` is a member of, ids of the active teams `user` manages)."""
    company_id = getattr(company, "pk", company)
    if not teams_known(user, company_id):
        (_m, members), (_t, managed) = team_links(user.pk, company_id)
        remember_teams(
            user,
            company_id,
            [(MEMBER, pk) for pk in members.values_list("id", flat=True)]
            + [(MANAGER, pk) for pk in managed.values_list("id", flat=True)],
        )
    return user.__dict__["_crm_teams"][company_id]


def team_member_ids(team: Any) -> list[int]:
    """The active members of a team in a stable order (round-robin walks this list)."""
    return list(team.members.filter(is_active=True).order_by("id").values_list("id", flat=True))


def team_names(ids: set[int]) -> dict[int, str]:
    return dict(SalesTeam.objects.filter(pk__in=ids).values_list("id", "name"))
