"""Sales teams: a manager and members; documents record the team of their sales rep."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kern.core import audit
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.sales.models import SalesTeam
from kern.sales.services._common import acting, at_most, user_of

__all__ = ["create_team", "set_team_members", "update_team"]


def create_team(
    company: Any, *, name: str, manager: Any = None, members: list[Any] = (), by: Any = None
) -> SalesTeam:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.on("name", _("a team needs a name"))
    if len(name) > 100:
        raise ValidationFailed.on("name", at_most(100))
    with atomic(), acting(by):
        if SalesTeam.objects.filter(company_id=company.pk, name=name).exists():
            raise ValidationFailed.on("name", _("there is already a team %(name)r") % {"name": name})
        team = SalesTeam(company=company, name=name, manager=user_of(company, manager, "manager"))
        try:
            team.save()
        except IntegrityError:
            raise ValidationFailed.on(
                "name", _("there is already a team %(name)r") % {"name": name}
            ) from None
        if members:
            set_team_members(team, members, by=by)
    return team


def update_team(team: SalesTeam, *, by: Any = None, **fields: Any) -> SalesTeam:
    unknown = sorted(set(fields) - {"name", "manager", "is_active", "members"})
    if unknown:
        raise ValidationFailed.on(unknown[0], _("cannot be changed here"))
    with atomic(), acting(by):
        if "name" in fields:
            name = (fields["name"] or "").strip()
            if not name or len(name) > 100:
                raise ValidationFailed.on(
                    "name",
                    ngettext(
                        "a name of at most %(count)s character", "a name of at most %(count)s characters", 100
                    )
                    % {"count": 100},
                )
            if SalesTeam.objects.filter(company_id=team.company_id, name=name).exclude(pk=team.pk).exists():
                raise ValidationFailed.on("name", _("there is already a team %(name)r") % {"name": name})
            team.name = name
        if "manager" in fields:
            team.manager = user_of(team.company, fields["manager"], "manager")
        if "is_active" in fields:
            team.is_active = bool(fields["is_active"])
        team.save()
        if "members" in fields:
            set_team_members(team, fields["members"] or [], by=by)
    return team


def set_team_members(team: SalesTeam, members: list[Any], *, by: Any = None) -> SalesTeam:
    users = [user_of(team.company, m, "members") for m in members]
    with atomic(), acting(by):
        old = sorted(team.members.values_list("pk", flat=True))
        team.members.set(users)
        new = sorted(u.pk for u in users)
        if old != new:
            audit.record(team, "members", {"members": [old, new]})
    return team
