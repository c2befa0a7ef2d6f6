"""Purchasing pages."""

app_name = "purchasing"

urlpatterns: list = []
