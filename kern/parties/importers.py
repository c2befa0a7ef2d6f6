"""Parties and contacts from CSV/XLSX: the way in for companies leaving spreadsheets."""

from __future__ import annotations

from typing import Any

from django_countries import countries

from kern.core.exceptions import ValidationFailed
from kern.core.imports import Column, Importer, bool_value, decimal_value, list_value
from kern.parties import services
from kern.parties.models import Party, PaymentTerm

_ROLE_WORDS = {
    "customer": "customer",
    "klant": "customer",
    "debiteur": "customer",
    "vendor": "vendor",
    "supplier": "vendor",
    "leverancier": "vendor",
    "crediteur": "vendor",
    "prospect": "prospect",
    "employee": "employee",
    "medewerker": "employee",
}


def country_value(text: str) -> str:
    value = text.strip()
    if len(value) == 2 and value.upper() in dict(countries):
        return value.upper()
    code = countries.by_name(value) or countries.by_name(value, language="nl")
    if not code:
        aliases = {"nederland": "NL", "holland": "NL", "duitsland": "DE", "belgie": "BE", "belgië": "BE"}
        code = aliases.get(value.lower(), "")
    if not code:
        raise ValueError(f"unknown country {text!r}")
    return code


def roles_value(text: str) -> list[str]:
    roles = []
    for word in list_value(text):
        role = _ROLE_WORDS.get(word.lower())
        if role is None:
            raise ValueError(f"unknown role {word!r} (customer, vendor, prospect, employee)")
        roles.append(role)
    return roles


def _import_party(company: Any, values: dict[str, Any], by: Any) -> Party:
    roles = values.pop("roles", ["customer"])
    address = {k: values.pop(k) for k in ("street", "postcode", "city", "country") if k in values}
    bank = {k: values.pop(k) for k in ("iban", "bic") if k in values}
    contact = {k[len("contact_") :]: values.pop(k) for k in list(values) if k.startswith("contact_")}
    term_name = values.pop("payment_term", None)
    if term_name:
        term = PaymentTerm.objects.for_company(company).filter(name__iexact=term_name).first()
        if term is None:
            raise ValidationFailed.on("payment_term", f"unknown payment term {term_name!r}")
        values["payment_term"] = term
    for role in ("customer", "vendor", "prospect", "employee"):
        values[f"is_{role}"] = role in roles
    party = services.create_party(company, by=by, **values)
    if address:
        if not address.get("street") or not address.get("city"):
            raise ValidationFailed.on("street", "an address needs a street and a city")
        services.add_address(party, by=by, **address)
    if bank.get("iban"):
        services.add_bank_account(party, by=by, holder_name=party.name, **bank)
    if contact.get("last_name"):
        services.add_contact(party, by=by, is_primary=True, **contact)
    return party


PARTY_IMPORTER = Importer(
    kind="parties",
    label="Parties (customers, vendors)",
    permission="parties.add_party",
    create_row=_import_party,
    columns=[
        Column(
            "name",
            "Name",
            required=True,
            aliases=("naam", "bedrijfsnaam", "company", "company name", "relatie"),
        ),
        Column("kind", "Kind", aliases=("soort",)),
        Column("roles", "Roles", parse=roles_value, aliases=("role", "rol", "type relatie")),
        Column(
            "vat_id", "VAT id", aliases=("btw", "btw-nummer", "btw nummer", "btw-id", "vat", "vat number")
        ),
        Column("kvk_number", "KvK number", aliases=("kvk", "kvk-nummer", "coc", "chamber of commerce")),
        Column("email", "E-mail", aliases=("email", "e-mailadres", "mail")),
        Column("phone", "Phone", aliases=("telefoon", "telefoonnummer", "tel")),
        Column("website", "Website", aliases=("web", "url")),
        Column("language", "Language", aliases=("taal",)),
        Column("currency", "Currency", aliases=("valuta", "munteenheid")),
        Column("payment_term", "Payment term", aliases=("betalingstermijn", "betaaltermijn")),
        Column("credit_limit", "Credit limit", parse=decimal_value, aliases=("kredietlimiet",)),
        Column("tags", "Tags", parse=list_value, aliases=("labels", "groep", "group")),
        Column("street", "Street", aliases=("straat", "adres", "address", "street and number")),
        Column("postcode", "Postcode", aliases=("postal code", "zip", "zip code")),
        Column("city", "City", aliases=("plaats", "woonplaats", "stad", "town")),
        Column("country", "Country", parse=country_value, aliases=("land",)),
        Column("iban", "IBAN", aliases=("rekeningnummer", "bankrekening", "bank account")),
        Column("bic", "BIC", aliases=("swift",)),
        Column("contact_first_name", "Contact first name", aliases=("voornaam contactpersoon",)),
        Column(
            "contact_last_name", "Contact last name", aliases=("contactpersoon", "achternaam contactpersoon")
        ),
        Column("contact_email", "Contact e-mail", aliases=("e-mail contactpersoon",)),
        Column("contact_phone", "Contact phone", aliases=("telefoon contactpersoon",)),
        Column("notes", "Notes", aliases=("opmerkingen", "notities")),
    ],
)


def _find_party(company: Any, ref: str) -> Party:
    qs = Party.objects.for_company(company)
    party = qs.filter(number__iexact=ref).first() or qs.filter(vat_id__iexact=ref.replace(" ", "")).first()
    if party is None:
        matches = list(qs.filter(name__iexact=ref)[:2])
        if len(matches) > 1:
            raise ValidationFailed.on("party", f"{ref!r} matches several parties; use the number")
        party = matches[0] if matches else None
    if party is None:
        raise ValidationFailed.on("party", f"no party {ref!r} (number, VAT id or exact name)")
    return party


def _import_contact(company: Any, values: dict[str, Any], by: Any):
    party = _find_party(company, values.pop("party"))
    return services.add_contact(party, by=by, **values)


CONTACT_IMPORTER = Importer(
    kind="contacts",
    label="Contact persons",
    permission="parties.add_contactperson",
    create_row=_import_contact,
    columns=[
        Column(
            "party", "Party", required=True, aliases=("relatie", "bedrijf", "company", "customer", "klant")
        ),
        Column("first_name", "First name", aliases=("voornaam",)),
        Column("last_name", "Last name", required=True, aliases=("achternaam", "naam", "surname")),
        Column("job_title", "Job title", aliases=("functie",)),
        Column("email", "E-mail", aliases=("email", "e-mailadres")),
        Column("phone", "Phone", aliases=("telefoon",)),
        Column("mobile", "Mobile", aliases=("mobiel",)),
        Column("language", "Language", aliases=("taal",)),
        Column("is_primary", "Primary", parse=bool_value, aliases=("primair", "hoofdcontact")),
    ],
)
