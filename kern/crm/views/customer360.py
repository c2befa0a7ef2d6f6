"""The customer 360 page: one screen a rep opens before a call."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kern.core import ui
from kern.crm import selectors
from kern.parties.models import Party


@login_required
@permission_required("parties.view_party", raise_exception=True)
def page(request: HttpRequest, pk: int) -> HttpResponse:
    company = getattr(request, "company", None)
    party = (
        Party.objects.select_related("company", "payment_term").filter(company=company, pk=pk).first()
        if company
        else None
    )
    if party is None:
        raise Http404
    view = selectors.customer_360(party, request.user)
    for section in (
        "open_quotes",
        "orders",
        "deliveries_in_transit",
        "open_invoices",
        "last_payments",
        "open_tickets",
    ):
        rows = getattr(view, section)
        setattr(view, section, [replace(d, url_label=ui.document_url(d.kind, d.id)) for d in rows])
    return render(
        request,
        "crm/customer360.html",
        {"title": _("Customer 360: %(name)s") % {"name": party.name}, "c": view},
    )
