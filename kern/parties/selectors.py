"""Reads of parties: search, duplicates, customers and vendors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kern.core.validators import normalise_vat_id
from kern.parties.models import Address, ContactPerson, Party, normalise_name

__all__ = [
    "LikelyDuplicate",
    "customers",
    "likely_duplicates",
    "parties_for",
    "search_parties",
    "vendors",
    "with_details",
]


@dataclass(frozen=True)
class LikelyDuplicate:
    id: int
    number: str
    name: str
    reason: str


def parties_for(company: Any) -> QuerySet[Party]:
    return Party.objects.for_company(company)


def customers(company: Any) -> QuerySet[Party]:
    return parties_for(company).filter(is_customer=True, is_active=True)


def vendors(company: Any) -> QuerySet[Party]:
    return parties_for(company).filter(is_vendor=True, is_active=True)


def search_parties(company: Any, text: str, *, limit: int = 20) -> QuerySet[Party]:
    text = (text or "").strip()
    qs = parties_for(company)
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(number__iexact=text)
            | Q(email__icontains=text)
            | Q(vat_id__iexact=normalise_vat_id(text))
            | Q(kvk_number=text)
            | Q(normalised_name__contains=normalise_name(text))
        )
    return qs.order_by("name")[:limit]


def with_details(qs: QuerySet[Party]) -> QuerySet[Party]:
    return qs.select_related("payment_term", "currency").prefetch_related(
        "tags",
        Prefetch("addresses", queryset=Address.objects.order_by("kind", "-is_default", "id")),
        Prefetch("contacts", queryset=ContactPerson.objects.order_by("-is_primary", "last_name")),
        "bank_accounts",
    )


def likely_duplicates(
    company: Any, *, name: str = "", vat_id: str = "", email: str = "", exclude: int | None = None
) -> list[LikelyDuplicate]:
    """Parties that are probably the same: same VAT id, same e-mail, or the same normalised name."""
    conditions = Q()
    vat = normalise_vat_id(vat_id)
    norm = normalise_name(name)
    if vat:
        conditions |= Q(vat_id=vat)
    if email:
        conditions |= Q(email__iexact=email.strip())
    if norm:
        conditions |= Q(normalised_name=norm)
    if not conditions:
        return []
    qs = parties_for(company).filter(conditions)
    if exclude:
        qs = qs.exclude(pk=exclude)
    found = []
    for party in qs.only("id", "number", "name", "vat_id", "email", "normalised_name")[:10]:
        if vat and party.vat_id == vat:
            reason = "same VAT id"
        elif email and party.email.lower() == email.strip().lower():
            reason = "same e-mail"
        else:
            reason = "same name"
        found.append(LikelyDuplicate(party.pk, party.number, party.name, reason))
    return found
