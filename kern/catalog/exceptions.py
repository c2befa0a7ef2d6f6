from __future__ import annotations

from kern.core.exceptions import ValidationFailed

__all__ = ["IncompatibleUnits"]


class IncompatibleUnits(ValidationFailed):
    code = "incompatible_units"
    title = "Units cannot be converted"
