"""Two-factor devices of a user (django-otp): enrol a TOTP app, confirm it, backup codes."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kern.core import audit
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed

__all__ = ["confirm_totp", "disable_two_factor", "new_backup_codes", "pending_totp"]

BACKUP_CODES = 10


def pending_totp(user: Any) -> TOTPDevice:
    """The authenticator app being enrolled: one unconfirmed device, reused until confirmed."""
    with atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_totp(user: Any, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app; older confirmed devices are replaced."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    token = "".join((token or "").split())
    if device is None:
        raise ValidationFailed.on("token", "start the enrolment again")
    if not token.isdigit() or not device.verify_token(token):
        raise ValidationFailed.on(
            "token", "that code is not right; check the time on your phone and try again"
        )
    with atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(user, "two_factor", {"totp": [None, "enrolled"]}, object_repr=user.get_username())
    return device


def new_backup_codes(user: Any) -> list[str]:
    """Ten single-use codes for when the phone is lost; earlier codes stop working."""
    with atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
        device.confirmed = True
        device.save()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def disable_two_factor(user: Any) -> None:
    with atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(user, "two_factor", {"totp": ["enrolled", None]}, object_repr=user.get_username())
