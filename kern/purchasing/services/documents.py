"""The documents purchasing sends: the purchase order and the RFQ as PDF (WeasyPrint, from the
same HTML templates the pages use), and the e-mails that carry them — sent after commit by the
outbox, so a rolled-back order never mails and a failed mail is retried by `kern worker`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from kern.purchasing.models import PurchaseOrder, Rfq, RfqVendor

__all__ = ["mail_order", "mail_rfq", "order_pdf", "rfq_pdf"]


def _pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def order_pdf(order: PurchaseOrder) -> bytes:
    lines = list(order.lines.select_related("product", "uom").order_by("position"))
    address = order.vendor.addresses.order_by("-is_default", "id").first()
    context = {
        "order": order,
        "lines": lines,
        "company": order.company,
        "vendor": order.vendor,
        "address": address,
    }
    return _pdf("purchasing/order_pdf.html", context, order.vendor.language)


def rfq_pdf(rfq: Rfq, invitation: RfqVendor | None = None) -> bytes:
    lines = list(rfq.lines.select_related("product", "uom").order_by("position"))
    vendor = invitation.vendor if invitation else None
    context = {"rfq": rfq, "lines": lines, "company": rfq.company, "vendor": vendor, "invitation": invitation}
    return _pdf("purchasing/rfq_pdf.html", context, vendor.language if vendor else "")


def mail_order(event: Any) -> None:
    """After commit of `purchasing.order_sent`: the order as PDF to the vendor."""
    payload = event.payload
    order = PurchaseOrder.objects.select_related("company", "vendor").filter(pk=payload["order_id"]).first()
    if order is None or not payload.get("email"):
        return
    with translation.override(order.vendor.language or settings.LANGUAGE_CODE):
        subject = translation.gettext("Purchase order %(number)s from %(company)s") % {
            "number": order.number,
            "company": order.company.name,
        }
        body = render_to_string(
            "purchasing/order_mail.txt", {"order": order, "message": payload.get("message", "")}
        )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=order.company.email or settings.DEFAULT_FROM_EMAIL,
        to=[payload["email"]],
    )
    message.attach(f"{order.number}.pdf", order_pdf(order), "application/pdf")
    message.send()


def mail_rfq(event: Any) -> None:
    """After commit of `purchasing.rfq_sent`: the RFQ as PDF to each invited vendor."""
    payload = event.payload
    rfq = Rfq.objects.select_related("company").filter(pk=payload["rfq_id"]).first()
    if rfq is None:
        return
    for item in payload.get("invitations", []):
        invitation = RfqVendor.objects.select_related("vendor").filter(pk=item["id"], rfq=rfq).first()
        if invitation is None or not item.get("email"):
            continue
        with translation.override(invitation.vendor.language or settings.LANGUAGE_CODE):
            subject = translation.gettext("Request for quotation %(number)s from %(company)s") % {
                "number": rfq.number,
                "company": rfq.company.name,
            }
            body = render_to_string("purchasing/rfq_mail.txt", {"rfq": rfq, "invitation": invitation})
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=rfq.company.email or settings.DEFAULT_FROM_EMAIL,
            to=[item["email"]],
        )
        message.attach(f"{rfq.number}.pdf", rfq_pdf(rfq, invitation), "application/pdf")
        message.send()
