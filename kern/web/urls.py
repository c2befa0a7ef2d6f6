from django.contrib.auth import views as auth_views
from django.urls import path

from kern.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("go/<slug:key>/", views.area, name="area"),
    path("search/", views.global_search, name="search"),
    path("account/", views.account, name="account"),
    path("account/companies/", views.companies, name="companies"),
    path("account/companies/switch/", views.switch_company, name="switch_company"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/two-factor/backup-codes/", views.two_factor_codes, name="two_factor_codes"),
    path("account/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
