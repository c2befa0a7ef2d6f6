"""Payments pages, mounted at /payments/."""

from kern.payments import views

app_name = "payments"

urlpatterns = [
    *views.OPEN_ITEMS.urls(),
    *views.PAYMENTS.urls(),
    *views.BANK_JOURNALS.urls(),
    *views.STATEMENTS.urls(),
    *views.LINES.urls(),
    *views.RUNS.urls(),
    *views.LETTERS.urls(),
]
