"""The payments pages answer for an accountant, with the company's rows only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kern.payments.services import receive_payment
from tests.builders import a_customer, a_user, a_web_client, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db


def test_lists_and_details_render(company, other_company):
    customer = a_customer(company)
    item = an_open_item(company, customer, "121.00", on=D(2, 1), number="INV-PAGES-1")
    payment = receive_payment(company, party=customer, amount=Decimal("121.00"), on=D(2, 2))
    foreign = an_open_item(other_company, a_customer(other_company), "5.00", on=D(2, 1))
    client = a_web_client(a_user(company, "accountant"))

    for name in (
        "openitem",
        "payment",
        "bankstatement",
        "statementline",
        "paymentrun",
        "dunningletter",
        "bankjournal",
    ):
        response = client.get(reverse(f"payments:{name}_list"))
        assert response.status_code == 200, name
    page = client.get(reverse("payments:openitem_detail", kwargs={"pk": item.pk}))
    assert page.status_code == 200 and b"INV-PAGES-1" in page.content
    assert client.get(reverse("payments:payment_detail", kwargs={"pk": payment.pk})).status_code == 200
    assert client.get(reverse("payments:openitem_detail", kwargs={"pk": foreign.pk})).status_code == 404
