"""Who sees which leads and opportunities.

Administrators and controllers see everything. Otherwise the company's `rep_visibility` decides:
`all` — everyone sees all; `team` — a user sees what they own and what belongs to their sales
teams; `own` — only what they own. A sales manager always sees the teams they manage (and, managing
none, the whole company: the head of sales). Marketers see every lead (they import and score them),
and leads that nobody owns yet, in no team, are a pool every rep may pick from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kern.core.selectors import roles_of
from kern.crm.models import CrmSettings, Lead, Opportunity, Visibility

__all__ = [
    "crm_settings",
    "sees_everything",
    "visibility_condition",
    "visible_leads",
    "visible_opportunities",
]

FULL_VIEW_ROLES = {"administrator", "controller"}


def crm_settings(company: Any) -> CrmSettings:
    """The company's CRM settings (the defaults, unsaved, until someone changes them)."""
    company_id = getattr(company, "pk", company)
    found = CrmSettings.objects.filter(company_id=company_id).first()
    return found or CrmSettings(company_id=company_id)


def _roles(user: Any) -> set[str]:
    cached = getattr(user, "_crm_roles", None)
    if cached is None:
        cached = set(roles_of(user))
        user._crm_roles = cached
    return cached


def _team_ids(user: Any, company: Any) -> tuple[set[int], set[int]]:
    """(teams the user belongs to, teams the user manages) — sales owns the teams."""
    from kern.crm.selectors.teams import teams_of

    return teams_of(user, company)


def _full_view(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or _roles(user) & FULL_VIEW_ROLES)


def sees_everything(user: Any, company: Any) -> bool:
    return _full_view(user) or crm_settings(company).rep_visibility == Visibility.ALL


def visibility_condition(user: Any, company: Any, *, leads: bool = False) -> Q | None:
    """The filter on owner/team for `user`, or None when the user sees every record."""
    if _full_view(user):
        return None
    roles = _roles(user)
    if leads and "marketer" in roles:
        return None
    rule = crm_settings(company).rep_visibility
    if rule == Visibility.ALL:
        return None
    member_of, manages = _team_ids(user, company)
    if "sales_manager" in roles and not manages:
        return None
    teams = set(manages)
    if rule == Visibility.TEAM:
        teams |= member_of
    condition = Q(owner_id=user.pk)
    if teams:
        condition |= Q(team_id__in=sorted(teams))
    if leads:
        condition |= Q(owner__isnull=True, team__isnull=True)
    return condition


def visible_leads(user: Any, company: Any) -> QuerySet[Lead]:
    qs = Lead.objects.for_company(company)
    condition = visibility_condition(user, company, leads=True)
    return qs if condition is None else qs.filter(condition)


def visible_opportunities(user: Any, company: Any) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.for_company(company)
    condition = visibility_condition(user, company)
    return qs if condition is None else qs.filter(condition)
