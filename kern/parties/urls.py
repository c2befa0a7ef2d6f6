"""Party pages, mounted at /parties/."""

from kern.parties import views

app_name = "parties"

urlpatterns = [
    *views.PAYMENT_TERMS.urls(),
    *views.CONTACTS.urls(),
    *views.ADDRESSES.urls(),
    *views.BANK_ACCOUNTS.urls(),
    *views.PARTIES.urls(),
]
