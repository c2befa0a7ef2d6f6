"""Sales pages."""

app_name = "sales"

urlpatterns: list = []
