"""Template helpers of the sales pages: the printed document and the acceptance token."""

from __future__ import annotations

from typing import Any

from django import template

from kern.sales import printing, services
from kern.sales.models import Invoice, Quote, SalesOrder

register = template.Library()


@register.simple_tag
def printed_document(obj: Any) -> dict[str, Any] | None:
    """What the print template shows for a quote, order or invoice (None for anything else)."""
    if isinstance(obj, Quote | SalesOrder | Invoice):
        return printing.document_context(obj)
    return None


@register.simple_tag
def acceptance_token(quote: Any) -> str:
    return services.acceptance_token(quote) if isinstance(quote, Quote) else ""
