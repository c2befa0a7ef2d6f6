"""Company sales policy: discount limits per role, margin floor, quote validity, invoicing policy.

Kept in `Company.settings["sales"]` (one JSON object, editable on the company), with these
defaults:

    {"discount_limits": {"sales_rep": 15, "sales_manager": 30, "administrator": 100},
     "margin_floor_percent": 10, "quote_validity_days": 30, "invoicing_policy": "delivery"}

A user may give (or approve) a discount up to the highest limit of their roles; a role missing from
the table may give none. A quote whose margin is under the floor needs a user with the permission
`sales.approve_low_margin` (sales managers and administrators).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kern.core.roles import role_label
from kern.core.selectors import roles_of

ZERO = Decimal("0")

DEFAULTS: dict[str, Any] = {
    "discount_limits": {"sales_rep": 15, "sales_manager": 30, "administrator": 100},
    "margin_floor_percent": 10,
    "quote_validity_days": 30,
    "invoicing_policy": "delivery",
}


@dataclass(frozen=True)
class SalesPolicy:
    discount_limits: dict[str, Decimal]
    margin_floor_percent: Decimal
    quote_validity_days: int
    invoicing_policy: str

    @property
    def free_discount(self) -> Decimal:
        """A discount up to this needs nobody's approval (the lowest limit of any role)."""
        return min(self.discount_limits.values(), default=ZERO)

    def limit_of(self, user: Any) -> Decimal:
        if user is None:
            return ZERO
        if getattr(user, "is_superuser", False):
            return Decimal(100)
        return max((self.discount_limits.get(r, ZERO) for r in roles_of(user)), default=ZERO)

    def role_for(self, discount: Decimal) -> str:
        """The role with the lowest limit that still covers `discount`."""
        fitting = sorted((limit, role) for role, limit in self.discount_limits.items() if limit >= discount)
        return fitting[0][1] if fitting else "administrator"

    def approval_reasons(
        self, max_discount: Decimal, margin_percent: Decimal | None, *, translated: bool = False
    ) -> tuple[list[str], str]:
        """Why a quote needs approval, and by which role (empty when it needs none).

        In English, as the quote stores them (stored text does not depend on who saved it);
        `translated`: in the user's language, to show or to refuse with."""
        reasons: list[str] = []
        role = ""
        if max_discount > self.free_discount:
            role = self.role_for(max_discount)
            text = gettext_noop("discount %(discount)s%% is above %(free)s%%: needs %(role)s")
            reasons.append(
                (_(text) if translated else text)
                % {
                    "discount": f"{max_discount.normalize():f}",
                    "free": f"{self.free_discount.normalize():f}",
                    "role": _label(role, translated),
                }
            )
        if margin_percent is not None and margin_percent < self.margin_floor_percent:
            text = gettext_noop("margin %(margin)s%% is below the floor of %(floor)s%%")
            reasons.append(
                (_(text) if translated else text)
                % {"margin": margin_percent, "floor": f"{self.margin_floor_percent.normalize():f}"}
            )
            if not role:
                role = "sales_manager"
        return reasons, role

    def may_approve(
        self, user: Any, max_discount: Decimal, margin_percent: Decimal | None
    ) -> tuple[bool, str]:
        """Whether `user` may approve (or send unapproved) a quote with these figures, and why not."""
        if user is None:
            return False, _("nobody is acting")
        if self.limit_of(user) < max_discount:
            return False, _("a discount of %(discount)s%% needs %(role)s") % {
                "discount": f"{max_discount.normalize():f}",
                "role": role_label(self.role_for(max_discount)),
            }
        if (
            margin_percent is not None
            and margin_percent < self.margin_floor_percent
            and not user.has_perm("sales.approve_low_margin")
        ):
            return False, _("a margin of %(margin)s%% below the floor needs a sales manager") % {
                "margin": margin_percent
            }
        return True, ""


def _label(role: str, translated: bool) -> str:
    """A role's name: in the user's language, or in English for stored text."""
    if translated:
        return role_label(role)
    with translation.override("en"):
        return role_label(role)


def policy_of(company: Any) -> SalesPolicy:
    raw = {**DEFAULTS, **((getattr(company, "settings", None) or {}).get("sales") or {})}
    limits = {str(k): Decimal(str(v)) for k, v in (raw.get("discount_limits") or {}).items()}
    return SalesPolicy(
        discount_limits=limits,
        margin_floor_percent=Decimal(str(raw.get("margin_floor_percent", 0))),
        quote_validity_days=int(raw.get("quote_validity_days", 30)),
        invoicing_policy=str(raw.get("invoicing_policy", "delivery")),
    )
