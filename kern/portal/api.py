"""Portal API (staff side): invite a customer's contact person to the portal, list the invitations
and logins, and revoke a login. The invitation token only ever travels in the e-mail."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.parties.models import ContactPerson
from kern.portal import services
from kern.portal.models import PortalAccess, PortalInvitation

router = Router(tags=["portal"])

PERM = "parties.change_contactperson"


class InvitationIn(Schema):
    contact_id: int


class InvitationOut(Schema):
    id: int
    contact_id: int
    party_id: int
    email: str
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None

    @staticmethod
    def resolve_party_id(obj: PortalInvitation) -> int:
        return obj.contact.party_id


class AccessOut(Schema):
    id: int
    contact_id: int
    party_id: int
    username: str
    email: str
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_username(obj: PortalAccess) -> str:
        return obj.user.username

    @staticmethod
    def resolve_email(obj: PortalAccess) -> str:
        return obj.user.email


@router.get("/portal/invitations", response=list[InvitationOut])
@paginate(KernCursorPagination)
def list_invitations(request: HttpRequest, open: bool | None = None, contact_id: int | None = None):
    require_perm(request, PERM)
    qs = scoped(PortalInvitation, request).select_related("contact")
    if open is not None:
        qs = qs.filter(accepted_at__isnull=open)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs


@router.post("/portal/invitations", response={201: InvitationOut})
def invite(request: HttpRequest, payload: InvitationIn):
    """E-mail the contact person a link to create their portal login (valid 14 days)."""
    who = require_perm(request, PERM)
    contact = scoped(ContactPerson.objects.select_related("party"), request, payload.contact_id)
    invitation = services.invite_contact(contact, by=who.user, base_url=request.build_absolute_uri("/"))
    return Status(201, invitation)


@router.get("/portal/accesses", response=list[AccessOut])
@paginate(KernCursorPagination)
def list_accesses(request: HttpRequest, party_id: int | None = None, active: bool | None = None):
    require_perm(request, PERM)
    qs = scoped(PortalAccess, request).select_related("user")
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/portal/accesses/{access_id}/revoke", response=AccessOut)
def revoke(request: HttpRequest, access_id: int):
    who = require_perm(request, PERM)
    access = scoped(PortalAccess.objects.select_related("user"), request, access_id)
    services.revoke_access(access, by=who.user)
    return access
