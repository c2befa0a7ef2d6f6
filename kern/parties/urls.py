"""parties pages."""

app_name = "parties"

urlpatterns: list = []
