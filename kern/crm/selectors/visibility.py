"""Who sees which leads and opportunities.

Administrators and controllers see everything. Otherwise the company's `rep_visibility` decides:
`all` — everyone sees all; `team` — a user sees what they own and what belongs to their sales
teams; `own` — only what they own. A sales manager always sees the teams they manage (and, managing
none, the whole company: the head of sales). Marketers see every lead (they import and score them),
and leads that nobody owns yet, in no team, are a pool every rep may pick from.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import CharField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast

from kern.core.prepared import Prepared
from kern.core.selectors import roles_of
from kern.crm.models import CrmSettings, Lead, Opportunity, Visibility
from kern.crm.selectors.teams import remember_teams, team_links, teams_known

__all__ = [
    "crm_settings",
    "scope_condition",
    "sees_everything",
    "visibility_condition",
    "visibility_scope",
    "visible_leads",
    "visible_opportunities",
]

FULL_VIEW_ROLES = {"administrator", "controller"}


def crm_settings(company: Any) -> CrmSettings:
    """The company's CRM settings (the defaults, unsaved, until someone changes them)."""
    company_id = getattr(company, "pk", company)
    found = CrmSettings.objects.filter(company_id=company_id).first()
    return found or CrmSettings(company_id=company_id)


def _tagged(rows: QuerySet, tag: str, *, text: str = "", number: str = "") -> QuerySet:
    """One branch of the viewer query: (tag, the field `text`, the field `number`); a missing
    text is '', a missing number a NULL typed for PostgreSQL (it types an untyped NULL as text)."""
    return rows.order_by().values_list(
        Value(tag, output_field=CharField()),
        text or Value("", output_field=CharField()),
        number or Cast(Value(None), IntegerField()),
    )


def _viewer_query(shape: tuple[bool, bool], *, company_id: int, user_id: int) -> QuerySet:
    need_roles, need_teams = shape
    branches = [_tagged(CrmSettings.objects.filter(company_id=company_id), "rule", text="rep_visibility")]
    if need_roles:
        branches.append(_tagged(Group.objects.filter(user=user_id), "role", text="name"))
    if need_teams:
        branches += [_tagged(rows, tag, number="id") for tag, rows in team_links(user_id, company_id)]
    return branches[0].union(*branches[1:], all=True)


_VIEWER = Prepared(_viewer_query)


def _viewer(user: Any, company: Any) -> str:
    """The company's visibility rule, and the user's roles and sales teams, in one round trip.

    Roles and teams are kept on the user object (the request's), the rule is read on every call.
    """
    company_id = getattr(company, "pk", company)
    need_roles = getattr(user, "_crm_roles", None) is None
    need_teams = not teams_known(user, company_id)
    rule, roles, links = str(Visibility.TEAM), set(), []
    for tag, text, number in _VIEWER.rows((need_roles, need_teams), company_id=company_id, user_id=user.pk):
        if tag == "rule":
            rule = text
        elif tag == "role":
            roles.add(text)
        else:
            links.append((tag, number))
    if need_roles:
        user._crm_roles = roles
    if need_teams:
        remember_teams(user, company_id, links)
    return rule


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


def visibility_scope(user: Any, company: Any, *, leads: bool = False) -> tuple[int, tuple[int, ...]] | None:
    """What `user` sees: None for every record, else (their own user id, the ids of the teams
    whose records they see) — `scope_condition` turns it into a filter."""
    if getattr(user, "is_superuser", False):
        return None
    rule = _viewer(user, company)
    if _full_view(user):
        return None
    roles = _roles(user)
    if leads and "marketer" in roles:
        return None
    if rule == Visibility.ALL:
        return None
    member_of, manages = _team_ids(user, company)
    if "sales_manager" in roles and not manages:
        return None
    teams = set(manages)
    if rule == Visibility.TEAM:
        teams |= member_of
    return user.pk, tuple(sorted(teams))


def scope_condition(owner_id: int, team_ids: tuple[int, ...], *, leads: bool = False) -> Q:
    condition = Q(owner_id=owner_id)
    if team_ids:
        condition |= Q(team_id__in=team_ids)
    if leads:
        condition |= Q(owner__isnull=True, team__isnull=True)
    return condition


def visibility_condition(user: Any, company: Any, *, leads: bool = False) -> Q | None:
    """The filter on owner/team for `user`, or None when the user sees every record."""
    scope = visibility_scope(user, company, leads=leads)
    return None if scope is None else scope_condition(*scope, leads=leads)


def visible_leads(user: Any, company: Any) -> QuerySet[Lead]:
    qs = Lead.objects.for_company(company)
    condition = visibility_condition(user, company, leads=True)
    return qs if condition is None else qs.filter(condition)


def visible_opportunities(user: Any, company: Any) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.for_company(company)
    condition = visibility_condition(user, company)
    return qs if condition is None else qs.filter(condition)
