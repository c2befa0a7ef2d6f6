"""Writes of parties and what hangs off them. Every write validates fully and is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext

from kern.core import context
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.models import Company, Currency
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.validators import normalise_iban, normalise_vat_id
from kern.parties.models import Address, BankAccount, ContactPerson, Party, PartyTag, PaymentTerm

__all__ = [
    "add_address",
    "add_bank_account",
    "add_contact",
    "archive_party",
    "create_party",
    "create_payment_term",
    "remove_address",
    "remove_bank_account",
    "remove_contact",
    "update_address",
    "update_contact",
    "update_party",
]

PARTY_FIELDS = {
    "kind",
    "name",
    "is_customer",
    "is_vendor",
    "is_prospect",
    "is_employee",
    "vat_id",
    "kvk_number",
    "email",
    "phone",
    "website",
    "language",
    "credit_limit",
    "notes",
    "is_active",
}


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("vat_id"):
        fields["vat_id"] = normalise_vat_id(fields["vat_id"])
    if fields.get("iban"):
        fields["iban"] = normalise_iban(fields["iban"])
    if fields.get("bic"):
        fields["bic"] = fields["bic"].strip().upper()
    if fields.get("email"):
        fields["email"] = fields["email"].strip()
    for key in ("name", "first_name", "last_name", "street", "city", "postcode"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    return fields


def _resolve_refs(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in fields.items() if k in PARTY_FIELDS}
    unknown = set(fields) - PARTY_FIELDS - {"currency", "payment_term", "tags"}
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], gettext("unknown field"))
    if "currency" in fields:
        code = fields["currency"]
        if code in (None, ""):
            out["currency"] = None
        else:
            currency = Currency.objects.filter(code=str(code).upper(), is_active=True).first()
            if currency is None:
                raise ValidationFailed.on(
                    "currency", gettext("unknown currency %(currency)s") % {"currency": repr(code)}
                )
            out["currency"] = currency
    if "payment_term" in fields:
        term = fields["payment_term"]
        if term in (None, ""):
            out["payment_term"] = None
        else:
            term_id = getattr(term, "pk", term)
            found = PaymentTerm.objects.for_company(company).filter(pk=term_id).first()
            if found is None:
                raise ValidationFailed.on(
                    "payment_term", gettext("unknown payment term %(term)s") % {"term": repr(term)}
                )
            out["payment_term"] = found
    return _normalise(out)


def _set_tags(party: Party, names: list[str] | None) -> None:
    if names is None:
        return
    tags = []
    for name in sorted({n.strip() for n in names if n and n.strip()}):
        tag, _created = PartyTag.objects.get_or_create(company_id=party.company_id, name=name[:60])
        tags.append(tag)
    party.tags.set(tags)


def create_party(company: Company, *, by: Any = None, tags: list[str] | None = None, **fields: Any) -> Party:
    """Create a customer, vendor, prospect or employee. The number comes from the numbering service."""
    data = _resolve_refs(company, fields)
    party = Party(company=company, number="pending", **data)
    if party.credit_limit is None:
        party.credit_limit = Decimal("0")
    validated(party, exclude=["number"])
    with atomic(), _acting(by):
        party.number = next_number(company, "parties.party", dt.date.today())
        party.save()
        _set_tags(party, tags)
    return party


def update_party(party: Party, *, by: Any = None, tags: list[str] | None = None, **fields: Any) -> Party:
    data = _resolve_refs(party.company, fields)
    for name, value in data.items():
        setattr(party, name, value)
    validated(party)
    with atomic(), _acting(by):
        party.save()
        _set_tags(party, tags)
    return party


def archive_party(party: Party, *, by: Any = None) -> Party:
    """Parties with documents are never deleted, only archived (inactive)."""
    return update_party(party, by=by, is_active=False)


def create_payment_term(company: Company, *, by: Any = None, **fields: Any) -> PaymentTerm:
    term = PaymentTerm(company=company, **fields)
    validated(term)
    with atomic(), _acting(by):
        term.save()
    return term


def _child(model: type[Model], party: Party, fields: dict[str, Any]) -> Model:
    allowed = {f.name for f in model._meta.concrete_fields} - {"id", "company", "party"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], gettext("unknown field"))
    return model(company_id=party.company_id, party=party, **_normalise(dict(fields)))


def _save_child(instance: Model, by: Any, *, default_scope: dict[str, Any] | None = None) -> Model:
    validated(instance, exclude=["party", "company"])
    with atomic(), _acting(by):
        if default_scope is not None and getattr(instance, "is_default", False):
            # One default per party (and kind, for addresses): the newest default wins.
            for other in (
                type(instance).objects.filter(**default_scope, is_default=True).exclude(pk=instance.pk)
            ):
                other.is_default = False
                other.save(update_fields=["is_default"])
        instance.save()
    return instance


def add_address(party: Party, *, by: Any = None, **fields: Any) -> Address:
    address = _child(Address, party, fields)
    return _save_child(address, by, default_scope={"party": party, "kind": address.kind})


def update_address(address: Address, *, by: Any = None, **fields: Any) -> Address:
    for name, value in _normalise(dict(fields)).items():
        setattr(address, name, value)
    return _save_child(address, by, default_scope={"party_id": address.party_id, "kind": address.kind})


def remove_address(address: Address, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        address.delete()


def add_contact(party: Party, *, by: Any = None, **fields: Any) -> ContactPerson:
    contact = _child(ContactPerson, party, fields)
    if contact.is_primary:
        return _save_primary(contact, by)
    return _save_child(contact, by)


def _save_primary(contact: ContactPerson, by: Any) -> ContactPerson:
    validated(contact, exclude=["party", "company"])
    with atomic(), _acting(by):
        for other in ContactPerson.objects.filter(party_id=contact.party_id, is_primary=True).exclude(
            pk=contact.pk
        ):
            other.is_primary = False
            other.save(update_fields=["is_primary"])
        contact.save()
    return contact


def update_contact(contact: ContactPerson, *, by: Any = None, **fields: Any) -> ContactPerson:
    for name, value in _normalise(dict(fields)).items():
        setattr(contact, name, value)
    if contact.is_primary:
        return _save_primary(contact, by)
    return _save_child(contact, by)


def remove_contact(contact: ContactPerson, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        contact.delete()


def add_bank_account(party: Party, *, by: Any = None, **fields: Any) -> BankAccount:
    account = _child(BankAccount, party, fields)
    if BankAccount.objects.filter(party=party, iban=account.iban).exists():
        raise ValidationFailed.on(
            "iban",
            gettext("%(iban)s is already recorded for %(party)s") % {"iban": account.iban, "party": party},
        )
    return _save_child(account, by, default_scope={"party": party})


def remove_bank_account(account: BankAccount, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        account.delete()
