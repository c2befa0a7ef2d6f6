"""CRM pages."""

app_name = "crm"

urlpatterns: list = []
