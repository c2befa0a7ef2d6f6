"""core pages."""

app_name = "core"

urlpatterns: list = []
