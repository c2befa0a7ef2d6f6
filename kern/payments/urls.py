"""Payments pages, mounted at /payments/."""

from django.urls import path

from kern.payments import views

app_name = "payments"

urlpatterns = [
    path("statements/import/", views.import_statement, name="statement_import"),
    path("reconcile/<int:pk>/match/", views.reconcile_line, name="reconcile_line"),
    path("payments/register/", views.register_payment, name="register_payment"),
    path("runs/propose/", views.propose_run, name="propose_run"),
    path("runs/<int:pk>/pain001/", views.download_pain001, name="run_pain001"),
    path("receivables/", views.aged_receivables, name="aged_receivables"),
    path("payables/", views.aged_payables, name="aged_payables"),
    path("parties/<int:pk>/statement/", views.party_statement, name="party_statement"),
    path("parties/<int:pk>/credit/", views.party_credit, name="party_credit"),
    path("credit/", views.credits, name="credits"),
    path("dunning/", views.dunning, name="dunning"),
    path("dunning/<int:pk>/", views.dunning_customer, name="dunning_customer"),
    path("dunning/<int:pk>/preview/", views.dunning_preview, name="dunning_preview"),
    path("dunning-letters/<int:pk>/letter/", views.dunning_letter, name="dunning_letter"),
    path("runs/<int:pk>/lines/<int:line>/remove/", views.remove_run_line, name="run_line_remove"),
    *views.OPEN_ITEMS.urls(),
    *views.PAYMENTS.urls(),
    *views.BANK_JOURNALS.urls(),
    *views.STATEMENTS.urls(),
    *views.LINES.urls(),
    *views.RUNS.urls(),
    *views.LETTERS.urls(),
    *views.LEVELS.urls(),
]
