"""Demo data, core part: the demo company, its users (one per role) and some exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from kern.core import services
from kern.core.models import Company, ExchangeRate
from kern.core.roles import ROLES

DEMO_KVK = "90000001"
DEMO_COMPANY = {
    "name": "Kern Demo BV",
    "legal_name": "Kern Demo B.V.",
    "kvk_number": DEMO_KVK,
    "vat_id": "NL123456782B01",
    "base_currency": "EUR",
    "street": "Keizersgracht 100",
    "postcode": "1015 AA",
    "city": "Amsterdam",
    "country": "NL",
    "iban": "NL91ABNA0417164300",
    "bic": "ABNANL2A",
    "email": "administratie@kern-demo.nl",
    "phone": "+31 20 123 4567",
}
DEMO_RATES = {
    "USD": "1.0850",
    "GBP": "0.8450",
    "CHF": "0.9420",
    "SEK": "11.2500",
    "DKK": "7.4600",
    "PLN": "4.3000",
}


def demo_company() -> Company | None:
    return Company.objects.filter(kvk_number=DEMO_KVK).first()


def load_core(ctx: dict[str, Any], progress: Any = None) -> None:
    company = demo_company()
    if company is None:
        company = services.create_company(**DEMO_COMPANY)
    ctx["company"] = company
    users: dict[str, Any] = {}
    password = settings.KERN_DEMO_PASSWORD
    User = get_user_model()
    for name, role in ROLES.items():
        user = User.objects.filter(username=name).first()
        if user is None:
            user = services.create_user(
                name,
                password=password,
                email=f"{name}@kern-demo.nl",
                first_name=str(role.label).split()[0],
                last_name="Demo",
                roles=[name],
                companies=[company],
            )
        users[name] = user
    ctx["users"] = users
    today = dt.date.today()
    for code, rate in DEMO_RATES.items():
        if not ExchangeRate.objects.filter(company__isnull=True, currency_id=code, base_id="EUR").exists():
            for months_back in range(12):
                on = (today.replace(day=1) - dt.timedelta(days=30 * months_back)).replace(day=1)
                drift = Decimal(1) + Decimal(months_back % 5 - 2) / Decimal(200)
                services.set_exchange_rate(
                    code, (Decimal(rate) * drift).quantize(Decimal("0.0001")), on=on, source="demo"
                )


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role label) for every demo user that exists."""
    User = get_user_model()
    names = set(User.objects.filter(username__in=list(ROLES)).values_list("username", flat=True))
    return [
        (name, settings.KERN_DEMO_PASSWORD, str(role.label)) for name, role in ROLES.items() if name in names
    ]
