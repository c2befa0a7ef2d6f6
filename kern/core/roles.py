"""Roles are Django groups whose permission sets are defined here, in code.

A pattern is `app_label.codename` with shell wildcards (`sales.*`, `*.view_*`). The sets are
installed by core's migration 0002 (the groups) and kept in step with the code after every
`migrate` (post_migrate), so a new model's permissions reach the roles without a hand edit.
Roles are global to a user (as in Odoo); memberships say which companies a user works for.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.utils.translation import gettext_lazy as _

__all__ = ["ROLES", "Role", "role_label", "sync_roles"]

VIEW_MASTER_DATA = [
    "core.view_company",
    "core.view_currency",
    "core.view_exchangerate",
    "parties.view_*",
    "catalog.view_*",
]


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    patterns: tuple[str, ...]
    staff: bool = True


ROLES: dict[str, Role] = {
    role.name: role
    for role in [
        Role("administrator", _("Administrator"), ("*",)),
        Role(
            "controller",
            _("Controller"),
            (
                *VIEW_MASTER_DATA,
                "core.*",
                "parties.*",
                "catalog.*",
                "ledger.*",
                "payments.*",
                "*.view_*",
                "sales.release_credit_block",
                "purchasing.approve_*",
                "hr.*",
            ),
        ),
        Role(
            "accountant",
            _("Accountant"),
            (
                *VIEW_MASTER_DATA,
                "core.view_*",
                "core.add_exchangerate",
                "core.change_exchangerate",
                "parties.*",
                "ledger.*",
                "payments.*",
                "sales.view_*",
                "sales.*invoice*",
                "sales.*creditnote*",
                "purchasing.view_*",
                "purchasing.*bill*",
                "inventory.view_*",
            ),
        ),
        Role(
            "sales_rep",
            _("Sales rep"),
            (
                *VIEW_MASTER_DATA,
                "parties.add_*",
                "parties.change_*",
                "sales.view_*",
                "sales.add_quote*",
                "sales.change_quote*",
                "sales.add_salesorder*",
                "sales.change_salesorder*",
                "crm.*",
                "inventory.view_stock*",
                "service.view_*",
            ),
        ),
        Role(
            "sales_manager",
            _("Sales manager"),
            (
                *VIEW_MASTER_DATA,
                "parties.*",
                "catalog.*",
                "sales.*",
                "crm.*",
                "marketing.view_*",
                "inventory.view_*",
                "service.view_*",
                "ledger.view_*",
            ),
        ),
        Role(
            "service_agent",
            _("Service agent"),
            (
                *VIEW_MASTER_DATA,
                "parties.change_*",
                "service.*",
                "sales.view_*",
                "crm.view_*",
                "crm.add_activity",
                "crm.change_activity",
                "inventory.view_*",
            ),
        ),
        Role("marketer", _("Marketer"), (*VIEW_MASTER_DATA, "marketing.*", "crm.view_*", "crm.*lead*")),
        Role(
            "buyer",
            _("Buyer"),
            (
                *VIEW_MASTER_DATA,
                "parties.add_*",
                "parties.change_*",
                "catalog.*",
                "purchasing.*",
                "inventory.view_*",
            ),
        ),
        Role(
            "warehouse",
            _("Warehouse"),
            (*VIEW_MASTER_DATA, "inventory.*", "sales.view_*", "purchasing.view_*"),
        ),
        Role(
            "planner",
            _("Planner"),
            (
                *VIEW_MASTER_DATA,
                "manufacturing.*",
                "inventory.view_*",
                "purchasing.view_*",
                "purchasing.add_purchaserequisition*",
                "sales.view_*",
            ),
        ),
        Role("hr", _("HR"), ("core.view_company", "parties.view_*", "hr.*")),
        Role("portal_customer", _("Portal customer"), (), staff=False),
    ]
}


def role_label(name: str) -> str:
    role = ROLES.get(name)
    return str(role.label) if role else name


def permissions_for(role: Role, available: list[str]) -> list[str]:
    return [perm for perm in available if any(fnmatchcase(perm, pattern) for pattern in role.patterns)]


def sync_roles(using: str = "default") -> None:
    """Create the role groups and set each one's permissions to exactly what ROLES says."""
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.using(using).select_related("content_type"))
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in perms}
    for role in ROLES.values():
        group, _created = Group.objects.using(using).get_or_create(name=role.name)
        wanted = {by_key[key].pk for key in permissions_for(role, sorted(by_key))}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
