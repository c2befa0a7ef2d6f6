"""CSV/XLSX import of leads through core.imports (column mapping, dry run, all-or-nothing)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kern.core.imports import Column, Importer, bool_value, decimal_value
from kern.crm import services
from kern.crm.models import LeadSource


def _int(text: str) -> int:
    value = decimal_value(text)
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def _source(text: str) -> str:
    value = text.strip().lower().replace(" ", "_")
    labels = {str(label).lower(): key for key, label in LeadSource.choices}
    value = labels.get(text.strip().lower(), value)
    if value not in LeadSource.values:
        raise ValueError(f"unknown source {text!r}; one of {', '.join(LeadSource.values)}")
    return value


def _create_lead(company: Any, values: dict[str, Any], by: Any) -> Any:
    values.setdefault("source", LeadSource.IMPORT)
    return services.create_lead(company, by=by, **values)


LEAD_IMPORTER = Importer(
    kind="leads",
    label=str(_("Leads")),
    permission="crm.add_lead",
    create_row=_create_lead,
    columns=[
        Column("title", "Subject", aliases=("onderwerp", "lead", "topic")),
        Column(
            "organisation",
            "Organisation",
            aliases=("company", "bedrijf", "organisatie", "company name", "bedrijfsnaam"),
        ),
        Column("first_name", "First name", aliases=("voornaam", "firstname")),
        Column("last_name", "Last name", aliases=("achternaam", "surname", "lastname", "name", "naam")),
        Column("job_title", "Job title", aliases=("functie", "title")),
        Column("email", "E-mail", aliases=("email", "e-mailadres", "mail")),
        Column("phone", "Phone", aliases=("telefoon", "telephone", "tel")),
        Column("website", "Website", aliases=("url", "web")),
        Column("street", "Street", aliases=("straat", "adres", "address")),
        Column("postcode", "Postcode", aliases=("zip", "postal code", "postcode")),
        Column("city", "City", aliases=("plaats", "woonplaats", "stad")),
        Column("country", "Country", aliases=("land", "country code")),
        Column("industry", "Industry", aliases=("branche", "sector")),
        Column("employees", "Employees", parse=_int, aliases=("medewerkers", "werknemers", "size")),
        Column(
            "expected_revenue",
            "Expected revenue",
            parse=decimal_value,
            aliases=("verwachte omzet", "value", "waarde"),
        ),
        Column("source", "Source", parse=_source, aliases=("bron",)),
        Column("consent", "Consent", parse=bool_value, aliases=("toestemming", "opt-in")),
        Column("description", "Notes", aliases=("notities", "opmerkingen", "description", "omschrijving")),
    ],
)
