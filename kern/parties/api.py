"""Parties API: organisations and people, their contacts, addresses and bank accounts."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.db import atomic
from kern.parties import selectors, services
from kern.parties.models import Address, BankAccount, ContactPerson, Party

router = Router(tags=["parties"])

Role = Literal["customer", "vendor", "prospect", "employee"]


class AddressIn(Schema):
    kind: Literal["billing", "shipping", "other"] = "billing"
    street: str = Field(min_length=1, max_length=200)
    street2: str = Field("", max_length=200)
    postcode: str = Field("", max_length=16)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field("NL", min_length=2, max_length=2)
    is_default: bool = True


class AddressOut(AddressIn):
    id: int
    country: str

    @staticmethod
    def resolve_country(obj: Address) -> str:
        return str(obj.country)


class BankAccountIn(Schema):
    iban: str = Field(min_length=5, max_length=42)
    bic: str = Field("", max_length=11)
    holder_name: str = Field("", max_length=140)
    is_default: bool = True


class BankAccountOut(BankAccountIn):
    id: int


class ContactIn(Schema):
    first_name: str = Field("", max_length=80)
    last_name: str = Field(min_length=1, max_length=120)
    job_title: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    mobile: str = Field("", max_length=40)
    language: Literal["nl", "en"] = "nl"
    is_primary: bool = False
    is_active: bool = True
    notes: str = Field("", max_length=5000)


class ContactPatch(Schema):
    first_name: str | None = Field(None, max_length=80)
    last_name: str | None = Field(None, min_length=1, max_length=120)
    job_title: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    mobile: str | None = Field(None, max_length=40)
    language: Literal["nl", "en"] | None = None
    is_primary: bool | None = None
    is_active: bool | None = None
    notes: str | None = Field(None, max_length=5000)


class ContactOut(ContactIn):
    id: int
    party_id: int


class PartyIn(Schema):
    kind: Literal["organisation", "person"] = "organisation"
    name: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(default_factory=lambda: ["customer"])
    vat_id: str = Field("", max_length=30)
    kvk_number: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    language: Literal["nl", "en"] = "nl"
    currency: str | None = Field(None, max_length=3)
    payment_term_id: int | None = None
    credit_limit: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    tags: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=5000)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=20)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)
    bank_accounts: list[BankAccountIn] = Field(default_factory=list, max_length=10)


class PartyPatch(Schema):
    kind: Literal["organisation", "person"] | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    roles: list[Role] | None = None
    vat_id: str | None = Field(None, max_length=30)
    kvk_number: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    language: Literal["nl", "en"] | None = None
    currency: str | None = Field(None, max_length=3)
    payment_term_id: int | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    tags: list[str] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)
    is_active: bool | None = None


class DuplicateOut(Schema):
    id: int
    number: str
    name: str
    reason: str


class PartyOut(Schema):
    id: int
    number: str
    kind: str
    name: str
    roles: list[str]
    vat_id: str
    kvk_number: str
    email: str
    phone: str
    website: str
    language: str
    currency: str | None = Field(None, alias="currency_id")
    payment_term_id: int | None
    credit_limit: Decimal
    tags: list[str]
    notes: str
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_tags(obj: Party) -> list[str]:
        return [t.name for t in obj.tags.all()]


class PartyDetailOut(PartyOut):
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    bank_accounts: list[BankAccountOut]

    @staticmethod
    def resolve_addresses(obj: Party) -> list[Address]:
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj: Party) -> list[ContactPerson]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_bank_accounts(obj: Party) -> list[BankAccount]:
        return list(obj.bank_accounts.all())


class PartyCreatedOut(PartyDetailOut):
    likely_duplicates: list[DuplicateOut]


def _role_fields(roles: list[str] | None) -> dict[str, bool]:
    if roles is None:
        return {}
    return {f"is_{role}": role in roles for role in ("customer", "vendor", "prospect", "employee")}


def _party_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"roles", "addresses", "contacts", "bank_accounts"})
    if partial:  # null means "leave as is" except where null is a value
        data = {k: v for k, v in data.items() if v is not None or k in ("currency", "payment_term_id")}
    if "payment_term_id" in data:
        data["payment_term"] = data.pop("payment_term_id")
    data.update(_role_fields(payload.roles))
    return data


@router.get("/parties", response=list[PartyOut])
@paginate(KernCursorPagination)
def list_parties(
    request: HttpRequest,
    q: str | None = None,
    role: Role | None = None,
    tag: str | None = None,
    active: bool | None = None,
    country: str | None = None,
):
    require_perm(request, "parties.view_party")
    qs = scoped(Party, request).prefetch_related("tags")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(number__iexact=q) | Q(email__icontains=q) | Q(vat_id__iexact=q)
        )
    if role:
        qs = qs.filter(**{f"is_{role}": True})
    if tag:
        qs = qs.filter(tags__name=tag)
    if active is not None:
        qs = qs.filter(is_active=active)
    if country:
        qs = qs.filter(addresses__country=country.upper()).distinct()
    return qs


@router.post("/parties", response={201: PartyCreatedOut})
def create_party(request: HttpRequest, payload: PartyIn):
    who = require_perm(request, "parties.add_party")
    fields = _party_fields(payload, partial=False)
    duplicates = selectors.likely_duplicates(
        who.company, name=payload.name, vat_id=payload.vat_id, email=payload.email
    )
    with atomic():
        party = services.create_party(who.company, by=who.user, **fields)
        for address in payload.addresses:
            services.add_address(party, by=who.user, **address.dict())
        for contact in payload.contacts:
            services.add_contact(party, by=who.user, **contact.dict())
        for account in payload.bank_accounts:
            services.add_bank_account(party, by=who.user, **account.dict())
    party = selectors.with_details(scoped(Party, request)).get(pk=party.pk)
    party.likely_duplicates = duplicates
    return Status(201, party)


@router.get("/parties/{party_id}", response=PartyDetailOut)
def get_party(request: HttpRequest, party_id: int):
    require_perm(request, "parties.view_party")
    return scoped(selectors.with_details(Party.objects.all()), request, party_id)


@router.patch("/parties/{party_id}", response=PartyDetailOut)
def update_party(request: HttpRequest, party_id: int, payload: PartyPatch):
    who = require_perm(request, "parties.change_party")
    party = scoped(Party, request, party_id)
    services.update_party(party, by=who.user, **_party_fields(payload, partial=True))
    return scoped(selectors.with_details(Party.objects.all()), request, party_id)


@router.delete("/parties/{party_id}", response={204: None})
def archive_party(request: HttpRequest, party_id: int):
    """Parties are archived, never deleted: their documents keep pointing at them."""
    who = require_perm(request, "parties.delete_party")
    services.archive_party(scoped(Party, request, party_id), by=who.user)
    return Status(204, None)


@router.get("/parties/{party_id}/duplicates", response=list[DuplicateOut])
def party_duplicates(request: HttpRequest, party_id: int):
    who = require_perm(request, "parties.view_party")
    party = scoped(Party, request, party_id)
    return selectors.likely_duplicates(
        who.company, name=party.name, vat_id=party.vat_id, email=party.email, exclude=party.pk
    )


@router.post("/parties/{party_id}/addresses", response={201: AddressOut})
def add_address(request: HttpRequest, party_id: int, payload: AddressIn):
    who = require_perm(request, "parties.change_party")
    return Status(201, services.add_address(scoped(Party, request, party_id), by=who.user, **payload.dict()))


@router.delete("/parties/{party_id}/addresses/{address_id}", response={204: None})
def remove_address(request: HttpRequest, party_id: int, address_id: int):
    who = require_perm(request, "parties.change_party")
    address = scoped(Address.objects.filter(party_id=party_id), request, address_id)
    services.remove_address(address, by=who.user)
    return Status(204, None)


@router.post("/parties/{party_id}/bank-accounts", response={201: BankAccountOut})
def add_bank_account(request: HttpRequest, party_id: int, payload: BankAccountIn):
    who = require_perm(request, "parties.change_party")
    return Status(
        201, services.add_bank_account(scoped(Party, request, party_id), by=who.user, **payload.dict())
    )


@router.delete("/parties/{party_id}/bank-accounts/{account_id}", response={204: None})
def remove_bank_account(request: HttpRequest, party_id: int, account_id: int):
    who = require_perm(request, "parties.change_party")
    account = scoped(BankAccount.objects.filter(party_id=party_id), request, account_id)
    services.remove_bank_account(account, by=who.user)
    return Status(204, None)


@router.get("/contacts", response=list[ContactOut])
@paginate(KernCursorPagination)
def list_contacts(request: HttpRequest, q: str | None = None, party_id: int | None = None):
    require_perm(request, "parties.view_contactperson")
    qs = scoped(ContactPerson, request)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if q:
        qs = qs.filter(Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(email__icontains=q))
    return qs


@router.post("/parties/{party_id}/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, party_id: int, payload: ContactIn):
    who = require_perm(request, "parties.add_contactperson")
    return Status(201, services.add_contact(scoped(Party, request, party_id), by=who.user, **payload.dict()))


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int):
    require_perm(request, "parties.view_contactperson")
    return scoped(ContactPerson, request, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch):
    who = require_perm(request, "parties.change_contactperson")
    contact = scoped(ContactPerson, request, contact_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_contact(contact, by=who.user, **changes)


@router.delete("/contacts/{contact_id}", response={204: None})
def delete_contact(request: HttpRequest, contact_id: int):
    who = require_perm(request, "parties.delete_contactperson")
    services.remove_contact(scoped(ContactPerson, request, contact_id), by=who.user)
    return Status(204, None)
