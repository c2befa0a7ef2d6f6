"""Every purchasing page renders in English and in Dutch, for documents in every state (the demo
data), and no text of the purchasing catalogue shows up in English on a Dutch page."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import polib
import pytest

from kern.core.registry import DEMO_STEPS
from kern.payments.services import create_bank_journal
from kern.purchasing.models import (
    ApprovalLimit,
    PurchaseOrder,
    Requisition,
    Rfq,
    VendorBill,
    VendorPrice,
)
from tests.builders import a_user, a_web_client

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "kern/purchasing/locale/nl/LC_MESSAGES/django.po"
TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
PLACEHOLDER = re.compile(r"%\(|%s|%d|\{")


def _visible_text(html: str) -> str:
    return " ".join(unescape(TAGS.sub(" ", html)).split())


def _english_only() -> list[str]:
    """Catalogue texts long enough to be recognised, whose Dutch differs from the English."""
    out = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        text = " ".join(entry.msgid.split())
        if len(text) >= 14 and not PLACEHOLDER.search(text):
            out.append(text)
    return out


@pytest.fixture
def demo(db):
    ctx: dict = {}
    for name in ("core", "parties", "catalog"):
        DEMO_STEPS[name].run(ctx, None)
    create_bank_journal(ctx["company"], name="ABN AMRO", iban="NL91ABNA0417164300", bic="ABNANL2A")
    DEMO_STEPS["purchasing"].run(ctx, None)
    return ctx["company"]


def _one_per_status(model, company, *extra: str):
    seen, rows = set(), []
    for row in model.objects.filter(company=company).order_by("pk"):
        key = tuple(getattr(row, f) for f in ("status", *extra))
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _pages(company) -> list[str]:
    pages = [
        "/purchasing/orders/",
        "/purchasing/orders/new/",
        "/purchasing/bills/",
        "/purchasing/bills/new/",
        "/purchasing/bills/import/",
        "/purchasing/requisitions/",
        "/purchasing/requisitions/new/",
        "/purchasing/requisitions/replenish/",
        "/purchasing/rfqs/",
        "/purchasing/rfqs/new/",
        "/purchasing/vendor-prices/",
        "/purchasing/vendor-prices/new/",
        "/purchasing/approval-limits/",
        "/purchasing/approval-limits/new/",
        "/purchasing/policy/",
    ]
    for status in ("draft", "to_approve", "sent", "partly_received", "billed", "cancelled"):
        pages.append(f"/purchasing/orders/?status={status}")
    for order in _one_per_status(PurchaseOrder, company):
        pages += [f"/purchasing/orders/{order.pk}/", f"/purchasing/orders/{order.pk}/quality-hold/"]
        for tab in ("lines", "receipts", "bills"):
            pages.append(f"/purchasing/orders/{order.pk}/?tab={tab}")
        if order.status == "draft":
            line = order.lines.first()
            pages += [
                f"/purchasing/orders/{order.pk}/edit/",
                f"/purchasing/orders/{order.pk}/lines/new/",
                f"/purchasing/orders/{order.pk}/lines/{line.pk}/edit/",
                f"/purchasing/orders/{order.pk}/cancel/",
            ]
        if order.status == "approved":
            pages.append(f"/purchasing/orders/{order.pk}/send/")
    for bill in _one_per_status(VendorBill, company, "kind", "match_status", "source"):
        pages.append(f"/purchasing/bills/{bill.pk}/")
        if bill.status == "draft":
            line = bill.lines.first()
            pages += [f"/purchasing/bills/{bill.pk}/edit/", f"/purchasing/bills/{bill.pk}/lines/new/"]
            if line is not None:
                pages.append(f"/purchasing/bills/{bill.pk}/lines/{line.pk}/edit/")
        if bill.payment_blocked:
            pages.append(f"/purchasing/bills/{bill.pk}/release/")
        if bill.status == "approved":
            pages.append(f"/purchasing/bills/{bill.pk}/cancel/")
    for requisition in _one_per_status(Requisition, company):
        pages.append(f"/purchasing/requisitions/{requisition.pk}/")
        if requisition.status == "draft":
            line = requisition.lines.first()
            pages += [
                f"/purchasing/requisitions/{requisition.pk}/edit/",
                f"/purchasing/requisitions/{requisition.pk}/lines/new/",
                f"/purchasing/requisitions/{requisition.pk}/lines/{line.pk}/edit/",
            ]
        if requisition.status == "approved":
            pages.append(f"/purchasing/requisitions/{requisition.pk}/rfq/")
    for rfq in _one_per_status(Rfq, company):
        pages += [f"/purchasing/rfqs/{rfq.pk}/", f"/purchasing/rfqs/{rfq.pk}/?tab=vendors"]
        pages.append(f"/purchasing/rfqs/{rfq.pk}/comparison/")
        if rfq.status == "draft":
            pages += [f"/purchasing/rfqs/{rfq.pk}/lines/new/", f"/purchasing/rfqs/{rfq.pk}/vendors/new/"]
        if rfq.status == "sent":
            invitation = rfq.vendors.order_by("pk").first()
            pages.append(f"/purchasing/rfqs/{rfq.pk}/answers/{invitation.pk}/")
    price = VendorPrice.objects.filter(company=company).first()
    limit = ApprovalLimit.objects.filter(company=company).first()
    pages += [
        f"/purchasing/vendor-prices/{price.pk}/",
        f"/purchasing/vendor-prices/{price.pk}/edit/",
        f"/purchasing/approval-limits/{limit.pk}/",
        f"/purchasing/approval-limits/{limit.pk}/edit/",
    ]
    return pages


def test_every_page_renders_in_english_and_dutch_without_english_left_on_the_dutch_ones(demo):
    admin = a_user(demo, "administrator")
    pages = _pages(demo)
    assert len(pages) > 60
    english = _english_only()
    # Why an order waits for approval is written by the service, in English (data, not UI text).
    stored_reasons = [
        " ".join(r.split())
        for r in PurchaseOrder.objects.filter(company=demo)
        .exclude(approval_reason="")
        .values_list("approval_reason", flat=True)
    ]
    leftovers: dict[str, set[str]] = {}
    for language in ("en", "nl"):
        web = a_web_client(admin, language=language)
        for url in pages:
            response = web.get(url)
            assert response.status_code == 200, f"{language} {url}: {response.status_code}"
            assert response["Content-Language"] == language, url
            if language == "nl":
                text = _visible_text(response.content.decode())
                for stored in stored_reasons:
                    text = text.replace(stored, "")
                found = {msgid for msgid in english if msgid in text}
                if found:
                    leftovers[url] = found
    assert not leftovers, leftovers
