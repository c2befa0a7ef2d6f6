"""Writes of the portal: inviting a customer's contact, accepting the invitation (a login with the
portal_customer role bound to that contact), and the contact updating their own details."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kern.core import context
from kern.core.db import atomic, on_commit
from kern.core.exceptions import Conflict, NotFound, ValidationFailed
from kern.core.services import create_user
from kern.parties import services as party_services
from kern.portal.models import PortalAccess, PortalInvitation

__all__ = [
    "accept_invitation",
    "grant_access",
    "invitation_for",
    "invite_contact",
    "revoke_access",
    "update_my_details",
]

INVITATION_DAYS = 14
EDITABLE = {"first_name", "last_name", "job_title", "email", "phone", "mobile", "language"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_contact(
    contact: Any, *, by: Any = None, base_url: str = "http://127.0.0.1:8000"
) -> PortalInvitation:
    """E-mail the contact a link to create a portal login (sent once the transaction commits)."""
    if not contact.is_active:
        raise ValidationFailed.on("contact", "the contact is not active")
    if not contact.email:
        raise ValidationFailed.on("email", "the contact has no e-mail address")
    if not contact.party.is_customer:
        raise ValidationFailed.on("contact", "only contacts of customers get a portal login")
    if PortalAccess.objects.filter(contact=contact, is_active=True).exists():
        raise Conflict(f"{contact} already has a portal login")
    token = secrets.token_urlsafe(32)
    with atomic(), context.acting(by) if by is not None else context.acting():
        invitation = PortalInvitation.objects.create(
            company_id=contact.company_id,
            contact=contact,
            email=contact.email,
            token_hash=_hash(token),
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
            invited_by=by if getattr(by, "pk", None) else None,
        )
        link = f"{base_url.rstrip('/')}/portal/invitation/{token}/"
        on_commit(lambda: _send_invitation(contact, link))
    return invitation


def _send_invitation(contact: Any, link: str) -> None:
    with translation.override(contact.language or settings.LANGUAGE_CODE):
        ctx = {"contact": contact, "link": link, "company": contact.company, "days": INVITATION_DAYS}
        html = render_to_string("portal/email/invitation.html", ctx)
        subject = " ".join(render_to_string("portal/email/invitation_subject.txt", ctx).split())
    mail = EmailMultiAlternatives(
        subject,
        html_text(html),
        to=[contact.email],
        headers={"Auto-Submitted": "auto-generated"},
        connection=get_connection(),
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def html_text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html).strip()


def invitation_for(token: str) -> PortalInvitation:
    invitation = (
        PortalInvitation.objects.filter(
            token_hash=_hash(token or ""), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("contact__party", "company")
        .first()
    )
    if invitation is None:
        raise NotFound("this invitation link is not valid (any more)")
    return invitation


def accept_invitation(token: str, *, password: str) -> Any:
    """Create the portal login of the invited contact; returns the user."""
    invitation = invitation_for(token)
    contact = invitation.contact
    User = get_user_model()
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        raise ValidationFailed.on("password", " ".join(exc.messages)) from None
    with atomic(), context.acting(interface="portal", company=invitation.company_id):
        earlier = PortalAccess.objects.filter(contact=contact).select_related("user").first()
        if earlier is not None and earlier.is_active:
            raise Conflict(f"{contact} already has a portal login")
        if earlier is not None:  # a revoked login is given back, with the new password
            user = earlier.user
            user.set_password(password)
            user.email = invitation.email
            user.is_active = True
            user.save(update_fields=["password", "email", "is_active"])
            earlier.is_active = True
            earlier.save(update_fields=["is_active"])
            PortalInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
            return user
        username = f"portal-{invitation.email.lower()}"[:150]
        if User.objects.filter(username=username).exists():
            username = f"portal-{contact.pk}-{invitation.email.lower()}"[:150]
        user = create_user(
            username,
            password=password,
            email=invitation.email,
            first_name=contact.first_name,
            last_name=contact.last_name,
            roles=["portal_customer"],
            companies=[],
        )
        PortalAccess.objects.create(
            company_id=invitation.company_id, user=user, contact=contact, party=contact.party
        )
        PortalInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    return user


def grant_access(contact: Any, *, user: Any, by: Any = None) -> PortalAccess:
    """Bind an existing login with the portal_customer role to a customer's contact (the demo's
    portal user; real contacts come in through an invitation)."""
    if not contact.party.is_customer:
        raise ValidationFailed.on("contact", "only contacts of customers get a portal login")
    if not user.groups.filter(name="portal_customer").exists():
        raise ValidationFailed.on("user", "the user does not have the portal customer role")
    if (
        PortalAccess.objects.filter(contact=contact).exists()
        or PortalAccess.objects.filter(user=user).exists()
    ):
        raise Conflict(f"{contact} or {user} already has a portal login")
    with atomic(), context.acting(by) if by is not None else context.acting():
        return PortalAccess.objects.create(
            company_id=contact.company_id, user=user, contact=contact, party=contact.party
        )


def update_my_details(access: PortalAccess, *, by: Any, **fields: Any) -> Any:
    """The contact changes their own name, phone numbers, e-mail or language (nothing else)."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], "this cannot be changed in the portal")
    with atomic(), context.acting(by, interface="portal", company=access.company_id):
        contact = party_services.update_contact(access.contact, by=by, **fields)
        if "email" in fields and fields["email"] and fields["email"] != by.email:
            by.email = fields["email"]
            by.save(update_fields=["email"])
    return contact


def revoke_access(access: PortalAccess, *, by: Any = None) -> None:
    """End a contact's portal login: every portal page refuses it from the next request on. The
    user and its history stay; a new invitation gives the contact a login again."""
    with atomic(), context.acting(by) if by is not None else context.acting():
        access.is_active = False
        access.save(update_fields=["is_active"])
