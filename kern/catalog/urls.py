"""catalog pages."""

app_name = "catalog"

urlpatterns: list = []
