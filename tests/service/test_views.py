"""Service desk pages: queue, the agent's ticket page, set-up lists, the report, the web form."""

import pytest
from django.core import mail
from django.test import Client

from kern.service import services
from kern.service.models import Team, Ticket
from tests.builders import a_user
from tests.querycounts import query_baseline
from tests.service.factories import a_customer_with_contact, a_ticket, an_agent


@pytest.fixture
def agent_browser(company):
    user = an_agent(company)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
def test_the_agent_answers_a_ticket_on_its_page(company, agent_browser, django_capture_on_commit_callbacks):
    customer, _contact = a_customer_with_contact(company)
    ticket = a_ticket(company, customer=customer, description="<b>Help</b><script>alert(1)</script>")
    page = agent_browser.get(f"/service/tickets/{ticket.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<b>Help</b>" in html and "alert(1)" not in html
    assert 'id="customer-tier"' in html and "Standard" in html and 'id="open-invoices"' in html
    with django_capture_on_commit_callbacks(execute=True):
        done = agent_browser.post(
            f"/service/tickets/{ticket.pk}/reply/", {"body": "Opgelost?", "then": "pending"}
        )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.messages.filter(kind="reply").count() == 1
    assert [m.to for m in mail.outbox][-1] == ["anna@devries.test"]
    agent_browser.post(f"/service/tickets/{ticket.pk}/reply/", {"body": "Alleen intern", "internal": "on"})
    assert ticket.messages.filter(kind="note").count() == 1
    resolved = agent_browser.post(f"/service/tickets/{ticket.pk}/status/resolved/")
    assert resolved.status_code == 302 and Ticket.objects.get(pk=ticket.pk).status == "resolved"


@pytest.mark.django_db
def test_canned_reply_and_article_suggestions(company, agent_browser):
    ticket = a_ticket(company, "Levering beschadigd")
    canned = services.create_canned_reply(company, name="Dank", body="Dank voor {ticket}")
    article = services.create_article(
        company, title="Beschadigde levering", body="Foto's sturen", keywords="levering"
    )
    services.publish_article(article)
    box = agent_browser.get(
        f"/service/tickets/{ticket.pk}/?canned={canned.pk}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="reply-box",
    )
    assert f"Dank voor {ticket.number}" in box.content.decode() and "<nav" not in box.content.decode()
    tips = agent_browser.get("/service/knowledge/suggest/?subject=levering+kapot", HTTP_HX_REQUEST="true")
    assert "Beschadigde levering" in tips.content.decode()


@pytest.mark.django_db
def test_every_service_page_opens_for_an_agent(company, agent_browser):
    a_ticket(company)
    for url in [
        "/service/tickets/",
        "/service/tickets/new/",
        "/service/teams/",
        "/service/categories/",
        "/service/routing-rules/",
        "/service/sla-policies/",
        "/service/calendars/",
        "/service/contracts/",
        "/service/canned-replies/",
        "/service/knowledge/",
        "/service/mailboxes/",
        "/service/received-mail/",
        "/service/reports/sla/",
        f"/service/teams/{Team.objects.get(company=company, is_default=True).pk}/",
    ]:
        assert agent_browser.get(url).status_code == 200, url


@pytest.mark.django_db
def test_an_agent_opens_a_ticket_from_a_phone_call(company, agent_browser):
    customer, contact = a_customer_with_contact(company)
    response = agent_browser.post(
        "/service/tickets/new/",
        {
            "subject": "Belt over factuur",
            "description": "Bedrag klopt niet",
            "customer": customer.pk,
            "channel": "phone",
            "priority": "normal",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get(subject="Belt over factuur")
    assert (ticket.channel, ticket.contact, ticket.assignee) == ("phone", contact, agent_browser.user)


@pytest.mark.django_db
def test_a_sales_rep_sees_but_cannot_answer(company):
    ticket = a_ticket(company)
    rep = Client()
    rep.force_login(a_user(company, "sales_rep"))
    assert rep.get(f"/service/tickets/{ticket.pk}/").status_code == 200
    assert rep.post(f"/service/tickets/{ticket.pk}/reply/", {"body": "x"}).status_code == 403
    assert not ticket.messages.filter(kind="reply").exists()


@pytest.mark.django_db
def test_another_companys_ticket_is_not_found(company, other_company, agent_browser):
    theirs = a_ticket(other_company)
    assert agent_browser.get(f"/service/tickets/{theirs.pk}/").status_code == 404
    assert agent_browser.post(f"/service/tickets/{theirs.pk}/reply/", {"body": "x"}).status_code == 404
    assert agent_browser.post(f"/service/tickets/{theirs.pk}/status/closed/").status_code == 404
    assert (
        Ticket.objects.get(pk=theirs.pk).status == "new" and not theirs.messages.filter(kind="reply").exists()
    )


@pytest.mark.django_db
def test_the_public_web_form(company, django_capture_on_commit_callbacks):
    team = Team.objects.get(company=company, is_default=True)
    assert Client().get(f"/service/contact/{team.web_form_key}/").status_code == 404  # not enabled
    services.update_team(team, web_form_enabled=True)
    visitor = Client()
    form = {
        "name": "Kees",
        "email": "kees@example.test",
        "subject": "Offerte",
        "description": "Graag een offerte <script>x</script>",
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = visitor.post(f"/service/contact/{team.web_form_key}/", form)
    ticket = Ticket.objects.get()
    assert done.status_code == 200 and ticket.number in done.content.decode()
    assert (ticket.channel, ticket.requester_email, ticket.description) == (
        "web_form",
        "kees@example.test",
        "Graag een offerte",
    )
    assert mail.outbox[-1].to == ["kees@example.test"]
    bot = visitor.post(f"/service/contact/{team.web_form_key}/", {**form, "website": "http://spam"})
    assert bot.status_code == 200 and Ticket.objects.count() == 1
    bad = visitor.post(f"/service/contact/{team.web_form_key}/", {**form, "email": "geen-adres"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode() and Ticket.objects.count() == 1
    for _ in range(5):
        visitor.post(f"/service/contact/{team.web_form_key}/", form)
    assert Ticket.objects.count() == 5  # the sixth in ten minutes from one address is refused


@pytest.mark.django_db
def test_ticket_list_page_query_baseline(company, agent_browser):
    for i in range(8):
        a_ticket(
            company, f"Vraag {i}", customer=a_customer_with_contact(company, f"Klant {i}", f"k{i}@x.test")[0]
        )
    with query_baseline(__file__, "page.service.tickets.list"):
        assert agent_browser.get("/service/tickets/").status_code == 200
