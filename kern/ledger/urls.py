"""Ledger pages."""

app_name = "ledger"

urlpatterns: list = []
