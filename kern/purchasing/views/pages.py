"""Working pages of purchasing that are more than a form on one record: the RFQ comparison and
award, recording a vendor's quote, the order's PDF and sending it, importing an e-invoice,
releasing or cancelling a bill, the to-replenish list, the purchasing policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kern.core import ui
from kern.core.exceptions import KernError
from kern.inventory import selectors as inventory_selectors
from kern.purchasing import selectors, services
from kern.purchasing.exceptions import EInvoiceRejected
from kern.purchasing.models import PurchaseOrder, Requisition, Rfq, RfqVendor, VendorBill
from kern.purchasing.views import forms as f


def _company(request: HttpRequest) -> Any:
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    return company


def _get(model: type, request: HttpRequest, pk: Any) -> Any:
    found = model._default_manager.filter(company=_company(request), pk=pk).first()
    if found is None:
        raise Http404
    return found


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    cancel_url: str,
    intro: str = "",
    submit: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "title": title,
        "form": form,
        "cancel_url": cancel_url,
        "intro": intro,
        "submit": submit or _("Save"),
    }
    return render(request, "purchasing/form_page.html", context, status=status)


# --- orders -----------------------------------------------------------------------------------------


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(PurchaseOrder, request, pk)
    response = HttpResponse(services.order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
def send_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(PurchaseOrder, request, pk)
    back = reverse("purchasing:order_detail", kwargs={"pk": order.pk})
    form = f.SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_order(
                order, by=request.user, to=form.cleaned_data["to"], message=form.cleaned_data["message"]
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The order is e-mailed to %(to)s.") % {"to": order.sent_to})
            return HttpResponseRedirect(back)
    intro = _("The order goes out as PDF to the vendor's address unless you give another.")
    return _form_page(
        request,
        form,
        title=_("Send %(number)s") % {"number": order.number},
        cancel_url=back,
        intro=intro,
        submit=_("Send"),
        status=422 if form.errors else 200,
    )


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
def cancel_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get(PurchaseOrder, request, pk)
    return _reason_page(
        request,
        title=_("Cancel %(number)s") % {"number": order.number},
        back=reverse("purchasing:order_detail", kwargs={"pk": order.pk}),
        run=lambda reason: services.cancel_order(order, by=request.user, reason=reason),
        done=_("The order is cancelled."),
    )


def _reason_page(
    request: HttpRequest, *, title: str, back: str, run: Any, done: str, intro: str = ""
) -> HttpResponse:
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data["reason"])
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(back)
    return _form_page(
        request,
        form,
        title=title,
        cancel_url=back,
        intro=intro,
        submit=_("Confirm"),
        status=422 if form.errors else 200,
    )


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
def quality_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Inspected goods of the order: into stock, or back to the vendor."""
    order = _get(PurchaseOrder, request, pk)
    back = reverse("purchasing:order_detail", kwargs={"pk": order.pk})
    lines = {ln.pk: ln for ln in order.lines.select_related("product", "uom")}
    held = [(lines[pk], qty) for pk, qty in services.held_quantities(order).items() if pk in lines]
    form = f.QualityForm(request.POST or None, held=held)
    if request.method == "POST" and form.is_valid():
        try:
            release, reject = form.quantities("release"), form.quantities("reject")
            if release:
                services.release_from_quality_hold(order, quantities=release, by=request.user)
            if reject:
                services.reject_from_quality_hold(order, quantities=reject, by=request.user)
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The inspected goods are booked."))
            return HttpResponseRedirect(back)
    return render(
        request,
        "purchasing/quality_hold.html",
        {
            "title": _("Quality hold of %(number)s") % {"number": order.number},
            "form": form,
            "cancel_url": back,
        },
        status=422 if form.errors else 200,
    )


# --- bills ------------------------------------------------------------------------------------------


@login_required
@permission_required("purchasing.add_vendorbill", raise_exception=True)
def import_bill(request: HttpRequest) -> HttpResponse:
    """Upload a UBL e-invoice: a draft bill, or the findings that refuse it (nothing is created)."""
    company = _company(request)
    form = f.UploadForm(request.POST or None, request.FILES or None)
    findings: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 10 MB."))
        else:
            try:
                imported = services.import_einvoice(
                    company, upload.read(), by=request.user, filename=upload.name
                )
            except EInvoiceRejected as exc:
                findings = exc.context["findings"]
                form.add_error("file", _("The e-invoice was rejected; nothing was imported."))
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                bill = imported.bill
                text = _("Draft bill for %(vendor)s imported: %(total)s %(currency)s.") % {
                    "vendor": imported.vendor.name,
                    "total": bill.total_amount,
                    "currency": bill.currency_id,
                }
                if imported.vendor_created:
                    text += " " + _("The vendor was new and is flagged for review.")
                messages.success(request, text)
                return HttpResponseRedirect(reverse("purchasing:bill_detail", kwargs={"pk": bill.pk}))
    if form.errors:
        status = 422
    return render(
        request,
        "purchasing/bill_import.html",
        {"title": _("Import an e-invoice"), "form": form, "findings": findings},
        status=status,
    )


@login_required
def release_bill(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get(VendorBill, request, pk)
    back = reverse("purchasing:bill_detail", kwargs={"pk": bill.pk})
    form = f.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_bill(bill, by=request.user, note=form.cleaned_data["note"])
        except KernError as exc:
            if exc.status == 403:
                messages.error(request, exc.message)
                return HttpResponseRedirect(back)
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The variance is accepted; the bill may be paid."))
            return HttpResponseRedirect(back)
    return _form_page(
        request,
        form,
        title=_("Accept the variance of %(bill)s") % {"bill": bill.number},
        cancel_url=back,
        intro=bill.block_reason,
        submit=_("Accept and release for payment"),
        status=422 if form.errors else 200,
    )


@login_required
@permission_required("purchasing.change_vendorbill", raise_exception=True)
def cancel_bill(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get(VendorBill, request, pk)
    return _reason_page(
        request,
        title=_("Cancel %(bill)s") % {"bill": bill.number or bill.vendor_reference},
        back=reverse("purchasing:bill_detail", kwargs={"pk": bill.pk}),
        run=lambda reason: services.cancel_bill(bill, by=request.user, reason=reason),
        done=_("The bill is cancelled."),
        intro=_(
            "An approved bill is reversed in the ledger; a bill that was paid needs a credit note instead."
        ),
    )


# --- requisitions -------------------------------------------------------------------------------------


@login_required
@permission_required("purchasing.add_requisition", raise_exception=True)
def replenish(request: HttpRequest) -> HttpResponse:
    """The inventory's to-replenish list (products to buy), turned into a requisition on request."""
    company = _company(request)
    if request.method == "POST":
        try:
            requisition = services.requisition_from_replenishment(company, by=request.user)
        except KernError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("purchasing:replenish"))
        messages.success(request, _("Requisition %(number)s was made.") % {"number": requisition.number})
        return HttpResponseRedirect(reverse("purchasing:requisition_detail", kwargs={"pk": requisition.pk}))
    suggestions = inventory_selectors.to_replenish(company, method="buy")
    return render(
        request, "purchasing/replenish.html", {"title": _("To replenish"), "suggestions": suggestions}
    )


@login_required
@permission_required("purchasing.add_rfq", raise_exception=True)
def requisition_rfq(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = _get(Requisition, request, pk)
    back = reverse("purchasing:requisition_detail", kwargs={"pk": requisition.pk})
    form = f.VendorsForm(request.POST or None, company=_company(request))
    if request.method == "POST" and form.is_valid():
        try:
            rfq = services.create_rfq_from_requisition(
                requisition,
                vendors=list(form.cleaned_data["vendors"]),
                deadline=form.cleaned_data["deadline"],
                by=request.user,
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("RFQ %(number)s is ready to send.") % {"number": rfq.number})
            return HttpResponseRedirect(reverse("purchasing:rfq_detail", kwargs={"pk": rfq.pk}))
    return _form_page(
        request,
        form,
        title=_("Request quotations for %(number)s") % {"number": requisition.number},
        cancel_url=back,
        submit=_("Create RFQ"),
        status=422 if form.errors else 200,
    )


# --- RFQs ------------------------------------------------------------------------------------------


@login_required
@permission_required("purchasing.view_rfq", raise_exception=True)
def rfq_comparison(request: HttpRequest, pk: int) -> HttpResponse:
    """Every answer side by side; the buyer picks a vendor per line and orders."""
    rfq = _get(Rfq, request, pk)
    comparison = selectors.rfq_comparison(rfq)
    if request.method == "POST":
        if not request.user.has_perm("purchasing.add_purchaseorder"):
            raise Http404
        choices = {}
        for row in comparison.lines:
            value = request.POST.get(f"line_{row.line.pk}", "")
            if value.isdigit():
                choices[row.line.pk] = int(value)
        try:
            orders = services.award_rfq(rfq, by=request.user, choices=choices or None)
        except KernError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Purchase orders made: %(numbers)s.") % {"numbers": ", ".join(o.number for o in orders)},
            )
            return HttpResponseRedirect(reverse("purchasing:rfq_detail", kwargs={"pk": rfq.pk}))
    return render(
        request,
        "purchasing/rfq_comparison.html",
        {
            "title": _("Compare the answers to %(number)s") % {"number": rfq.number},
            "rfq": rfq,
            "comparison": comparison,
        },
    )


@login_required
@permission_required("purchasing.change_rfq", raise_exception=True)
def rfq_quote(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    rfq = _get(Rfq, request, pk)
    invited = RfqVendor.objects.filter(rfq=rfq, pk=invitation).select_related("vendor").first()
    if invited is None:
        raise Http404
    back = reverse("purchasing:rfq_detail", kwargs={"pk": rfq.pk}) + "?tab=vendors"
    form = f.QuoteForm(request.POST or None, rfq=rfq, invitation=invited)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decline"):
                services.decline_rfq(invited, by=request.user)
            else:
                services.record_quote(
                    invited,
                    prices=form.prices(),
                    vendor_reference=form.cleaned_data["vendor_reference"],
                    valid_until=form.cleaned_data["valid_until"],
                    currency=form.cleaned_data["currency"],
                    by=request.user,
                )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(
                request, _("The answer of %(vendor)s is recorded.") % {"vendor": invited.vendor.name}
            )
            return HttpResponseRedirect(back)
    return render(
        request,
        "purchasing/rfq_quote.html",
        {
            "title": _("Answer of %(vendor)s to %(number)s")
            % {"vendor": invited.vendor.name, "number": rfq.number},
            "form": form,
            "cancel_url": back,
        },
        status=422 if form.errors else 200,
    )


@login_required
@permission_required("purchasing.view_rfq", raise_exception=True)
def rfq_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = _get(Rfq, request, pk)
    response = HttpResponse(services.rfq_pdf(rfq), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{rfq.number}.pdf"'
    return response


# --- policy -------------------------------------------------------------------------------------------


@login_required
@permission_required("purchasing.change_purchasingpolicy", raise_exception=True)
def policy(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    current = services.policy_of(company)
    form = f.PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_policy(company, by=request.user, **form.cleaned_data)
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The purchasing policy is saved."))
            return HttpResponseRedirect(reverse("purchasing:policy"))
    return _form_page(
        request,
        form,
        title=_("Purchasing policy"),
        cancel_url=reverse("purchasing:order_list"),
        intro=_("How far a bill may differ from its order and receipts before it is held back from payment."),
        status=422 if form.errors else 200,
    )


__all__ = [
    "cancel_bill",
    "cancel_order",
    "import_bill",
    "order_pdf",
    "policy",
    "quality_hold",
    "release_bill",
    "replenish",
    "requisition_rfq",
    "rfq_comparison",
    "rfq_pdf",
    "rfq_quote",
    "send_order",
]
