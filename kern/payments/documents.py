"""Printable documents of payments: dunning letters and party statements, HTML → PDF.

The same Django templates render in the browser and, through WeasyPrint, as PDF; the letter is
written in the customer's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from kern.payments.models import DunningLetter
from kern.payments.selectors import PartyStatement

__all__ = ["dunning_letter_html", "dunning_letter_pdf", "party_statement_html", "party_statement_pdf"]


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def dunning_letter_html(letter: DunningLetter) -> str:
    lines = list(letter.lines.select_related("open_item").order_by("open_item__due_date", "pk"))
    company = letter.company
    with translation.override(letter.party.language or "nl"):
        return render_to_string(
            "payments/pdf/dunning_letter.html",
            {
                "letter": letter,
                "company": company,
                "party": letter.party,
                "address": letter.party.addresses.order_by("-is_default", "pk").first(),
                "lines": lines,
                "total": letter.overdue_total + letter.fee,
            },
        )


def dunning_letter_pdf(letter: DunningLetter) -> bytes:
    return _pdf(dunning_letter_html(letter))


def party_statement_html(statement: PartyStatement, company: Any) -> str:
    with translation.override(statement.party.language or "nl"):
        return render_to_string(
            "payments/pdf/party_statement.html",
            {
                "statement": statement,
                "company": company,
                "party": statement.party,
                "address": statement.party.addresses.order_by("-is_default", "pk").first(),
            },
        )


def party_statement_pdf(statement: PartyStatement, company: Any) -> bytes:
    return _pdf(party_statement_html(statement, company))
