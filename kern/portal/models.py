"""Portal: which contact person of which customer a portal user is, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned

__all__ = ["PortalAccess", "PortalInvitation"]


class PortalAccess(CompanyOwned):
    """A portal user is one contact person of one customer; every portal page is limited to
    that customer's records."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_access"
    )
    contact = models.OneToOneField(
        "parties.ContactPerson",
        on_delete=models.CASCADE,
        related_name="portal_access",
        verbose_name=_("contact"),
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="portal_accesses", verbose_name=_("customer")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal accesses")

    def __str__(self) -> str:
        return f"{self.contact} ({self.party})"


class PortalInvitation(CompanyOwned):
    """An e-mailed link to create a portal login; only a SHA-256 of its token is stored."""

    contact = models.ForeignKey(
        "parties.ContactPerson", on_delete=models.CASCADE, related_name="portal_invitations"
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    audit_exclude = frozenset({"token_hash"})

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")

    def __str__(self) -> str:
        return self.email
