"""Quotes made for an opportunity (sales' CPQ), linked back to it: the button and the tab."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kern.catalog import selectors as catalog_selectors
from kern.core import ui
from kern.core.exceptions import KernError
from kern.crm import selectors, services


def quotes_tab() -> Any:
    return ui.Tab(
        "quotes",
        gettext_lazy("Quotes"),
        rows=lambda opp, request: selectors.quotes_for_opportunity(opp),
        columns=["number", "quote_date", "valid_until", "status", "total", "currency", "sales_rep"],
        permission="sales.view_quote",
    )


LINES = 3


class QuoteForm(ui.KernForm):
    """The first lines of the quote (the quote builder adds more, options and discounts later)."""

    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer_reference = forms.CharField(
        label=gettext_lazy("Customer reference"), max_length=80, required=False
    )

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products = catalog_selectors.products_for(company).filter(is_active=True, can_be_sold=True)
        for n in range(1, LINES + 1):
            self.fields[f"product_{n}"] = forms.ModelChoiceField(
                products, label=gettext_lazy("Product %(n)s") % {"n": n}, required=n == 1
            )
            self.fields[f"quantity_{n}"] = forms.DecimalField(
                label=gettext_lazy("Quantity %(n)s") % {"n": n},
                min_value=Decimal("0.0001"),
                max_digits=20,
                decimal_places=4,
                initial=Decimal("1") if n == 1 else None,
                required=False,
            )
        self.order_fields([*(f"{k}_{n}" for n in range(1, LINES + 1) for k in ("product", "quantity"))])
        ui.style_form(self)

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for n in range(1, LINES + 1):
            product = self.cleaned_data.get(f"product_{n}")
            if product is not None:
                quantity = self.cleaned_data.get(f"quantity_{n}") or Decimal("1")
                out.append({"product": product.pk, "quantity": quantity})
        return out

    def header(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.cleaned_data.get("valid_until"):
            data["valid_until"] = self.cleaned_data["valid_until"]
        if self.cleaned_data.get("customer_reference"):
            data["customer_reference"] = self.cleaned_data["customer_reference"]
        return data


@login_required
@permission_required(["sales.add_quote", "crm.view_opportunity"], raise_exception=True)
def create_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a draft quote for the opportunity from its first lines, then open it in the quote
    builder to finish it."""
    company = getattr(request, "company", None)
    opp = (
        selectors.visible_opportunities(request.user, company).select_related("company").filter(pk=pk).first()
        if company is not None
        else None
    )
    if opp is None:
        raise Http404
    form = QuoteForm(request.POST if request.method == "POST" else None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.create_quote_for_opportunity(
                opp, by=request.user, lines=form.lines(), **form.header()
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Quote %(number)s was made for %(opportunity)s.")
                % {"number": quote.number, "opportunity": opp},
            )
            return HttpResponseRedirect(reverse("sales:quote_edit", args=[quote.pk]))
    context = {
        "title": _("Quote for %(opportunity)s") % {"opportunity": opp},
        "form": form,
        "warnings": [],
        "cancel_url": ui.document_url(opp),
    }
    return render(request, "ui/form.html", context, status=422 if form.errors else 200)
