"""Ledger pages, mounted at /ledger/."""

from django.urls import path

from kern.ledger import views

app_name = "ledger"

urlpatterns = [
    path("entries/new/", views.entry_form, name="entry_new"),
    path("entries/<int:pk>/form/", views.entry_form, name="entry_edit_draft"),
    *views.ENTRIES.urls(),
    *views.ACCOUNTS.urls(),
    *views.JOURNALS.urls(),
    *views.TAX_CODES.urls(),
    *views.PERIODS.urls(),
    *views.FISCAL_YEARS.urls(),
    path("reports/", views.reports_home, name="reports"),
    path("reports/trial-balance/", views.trial_balance, name="trial_balance"),
    path("reports/accounts/<int:pk>/", views.account_ledger, name="account_ledger"),
    path("reports/profit-and-loss/", views.profit_and_loss, name="profit_and_loss"),
    path("reports/balance-sheet/", views.balance_sheet, name="balance_sheet"),
    path("reports/journal/", views.journal_report, name="journal_report"),
    path("reports/vat-return/", views.vat_return, name="vat_return"),
    path("reports/vat-return/<str:box>/", views.vat_box, name="vat_box"),
    path("reports/statements/<int:party_pk>/", views.partner_statement, name="partner_statement"),
]
