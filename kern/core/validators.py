"""Validators for the identifiers Dutch and EU companies use: VAT ids, KvK numbers, IBAN/BIC."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import vatin
from stdnum.exceptions import ValidationError as StdnumError

__all__ = [
    "normalise_iban",
    "normalise_vat_id",
    "validate_bic",
    "validate_iban",
    "validate_kvk",
    "validate_vat_id",
]

_KVK = re.compile(r"^\d{8}$")


def normalise_vat_id(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_vat_id(value: str) -> None:
    """An EU VAT id with its country prefix, checked by python-stdnum (format and check digits)."""
    number = normalise_vat_id(value)
    if not number:
        return
    if not re.match(r"^[A-Z]{2}", number):
        raise ValidationError(
            _("A VAT id starts with its two-letter country code, e.g. NL."), code="vat_prefix"
        )
    try:
        vatin.validate(number)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid VAT id."), code="invalid_vat", params={"value": value}
        ) from None


def validate_kvk(value: str) -> None:
    """A Dutch Chamber of Commerce number: exactly 8 digits (it has no check digit)."""
    if value and not _KVK.match(value):
        raise ValidationError(_("A KvK number has exactly 8 digits."), code="invalid_kvk")


def normalise_iban(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_iban(value: str) -> None:
    if not value:
        return
    try:
        IBAN(normalise_iban(value))
    except SchwiftyException:
        raise ValidationError(
            _("%(value)s is not a valid IBAN."), code="invalid_iban", params={"value": value}
        ) from None


def validate_bic(value: str) -> None:
    if not value:
        return
    try:
        BIC(value.strip().upper())
    except SchwiftyException:
        raise ValidationError(
            _("%(value)s is not a valid BIC."), code="invalid_bic", params={"value": value}
        ) from None
