"""Portal pages."""

app_name = "portal"

urlpatterns: list = []
