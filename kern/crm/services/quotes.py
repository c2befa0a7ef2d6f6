"""Quotes made for an opportunity: sales' configure-price-quote does the quote, the CRM links it.

The quote is created by `kern.sales.services.create_quote` for the opportunity's customer, with the
opportunity's contact, currency, owner (as sales rep) and team, and `source_type`/`source_id`
pointing back at the opportunity; an `OpportunityQuote` row links it from the CRM side. Both are
written in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from kern.core.db import atomic
from kern.crm.exceptions import refused_transition
from kern.crm.models import Opportunity, OpportunityQuote, OpportunityStatus
from kern.crm.services._common import acting
from kern.sales import services as sales_services

__all__ = ["SOURCE_TYPE", "create_quote_for_opportunity"]

SOURCE_TYPE = "crm.opportunity"


def create_quote_for_opportunity(
    opp: Opportunity, *, by: Any = None, lines: list[Any] = (), **fields: Any
) -> Any:
    """A draft quote for an open opportunity, linked back to it. `lines` and `fields` are those of
    `sales.services.create_quote` (its errors — an unknown product, a bad date — pass through)."""
    if opp.status != OpportunityStatus.OPEN:
        raise refused_transition(
            opp, OpportunityStatus.OPEN, message=gettext("%(document)s is %(status)s: reopen it to quote")
        )
    defaults: dict[str, Any] = {"currency": opp.currency_id, "team": opp.team_id}
    if opp.contact_id:
        defaults["contact"] = opp.contact_id
    if opp.owner_id:
        defaults["sales_rep"] = opp.owner_id
    defaults.update(fields)
    defaults.update(source_type=SOURCE_TYPE, source_id=opp.pk)
    if defaults.get("team") is None:
        defaults.pop("team")  # sales then takes the rep's own team
    with atomic(), acting(by):
        quote = sales_services.create_quote(
            opp.company, customer=opp.party, lines=list(lines), by=by, **defaults
        )
        OpportunityQuote.objects.create(company_id=opp.company_id, opportunity=opp, quote=quote)
    return quote
