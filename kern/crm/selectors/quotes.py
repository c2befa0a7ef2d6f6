"""The quotes made for an opportunity (sales' quotes, linked by `OpportunityQuote`)."""

from __future__ import annotations

from django.db.models import QuerySet

from kern.crm.models import Opportunity, OpportunityQuote
from kern.sales.models import Quote

__all__ = ["quotes_for_opportunity"]


def quotes_for_opportunity(opp: Opportunity) -> QuerySet[Quote]:
    """The opportunity's quotes, newest first (one query)."""
    linked = OpportunityQuote.objects.filter(company_id=opp.company_id, opportunity_id=opp.pk)
    return (
        Quote.objects.filter(company_id=opp.company_id, pk__in=linked.values("quote_id"))
        .select_related("sales_rep")
        .order_by("-quote_date", "-id")
    )
