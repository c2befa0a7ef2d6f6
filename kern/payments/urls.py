"""Payments pages."""

app_name = "payments"

urlpatterns: list = []
