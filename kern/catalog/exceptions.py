"""Catalog errors with stable codes. Refusals are worded in the user's language when raised; a
`title` is English source text, translated when the problem is rendered."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from kern.core.exceptions import ValidationFailed

__all__ = ["IncompatibleUnits"]


class IncompatibleUnits(ValidationFailed):
    code = "incompatible_units"
    title = gettext_noop("Units cannot be converted")

    @classmethod
    def between(cls, from_uom: Any, to_uom: Any) -> IncompatibleUnits:
        """The refusal to convert a quantity in `from_uom` to `to_uom` (units of different kinds)."""
        names = {
            "from": from_uom.code,
            "to": to_uom.code,
            "from_kind": from_uom.category,
            "to_kind": to_uom.category,
        }
        return cls(
            gettext(
                "cannot convert %(from)s to %(to)s: %(from_kind)s and %(to_kind)s are different kinds of unit"
            )
            % names,
            errors={"uom": [gettext("%(from)s does not convert to %(to)s") % names]},
        )
