"""E-mail in and out: a real SMTP round trip, threading by reference, attachments, loops and
malformed or dangerous mail — handled, logged, and the rest of the mailbox processed."""

import imaplib
import socketserver
import threading
from email.message import EmailMessage

import pytest

from kern.core.models import Attachment, OutboxEvent
from kern.service import services
from kern.service.models import InboundMail, Team, Ticket
from kern.service.services import inbound
from tests.service.factories import a_customer_with_contact, an_agent


def raw_mail(
    subject="Levering kwijt",
    body="Mijn bestelling 1234 is niet aangekomen.",
    sender="Anna de Vries <anna@devries.test>",
    message_id=None,
    headers=None,
    attachments=(),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@acme.test"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{abs(hash((subject, body, sender)))}@mail.devries.test>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for name, content, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@pytest.mark.django_db(transaction=True)
def test_smtp_round_trip_acknowledgement_reply_and_threaded_answer(company, smtp_server):
    customer, contact = a_customer_with_contact(company)
    services.update_team(Team.objects.get(company=company, is_default=True), email="support@acme.test")
    agent = an_agent(company)
    result = services.receive_email(
        company,
        raw_mail(attachments=[("foto.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")]),
    )
    ticket = result.ticket
    assert result.status == "created" and ticket.customer == customer and ticket.contact == contact
    assert Attachment.objects.get(target_model="service.ticketmessage").filename == "foto.jpg"
    # the acknowledgement went out through SMTP after commit, to the customer, with the number
    ack = next(m for m in smtp_server.messages if "anna@devries.test" in m["To"])
    assert ack["Subject"].startswith(f"[{ticket.number}]") and ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"] == "Support <support@acme.test>"
    reply = services.reply_to_ticket(ticket, body="We sturen het vandaag opnieuw.", by=agent)
    sent = smtp_server.messages[-1]
    assert sent["Message-ID"] == reply.email_message_id and sent["To"] == "anna@devries.test"
    assert "We sturen het vandaag opnieuw." in sent.get_body(("plain",)).get_content()
    # the customer answers the e-mail: In-Reply-To threads it onto the same ticket
    answer = raw_mail(
        subject=f"Re: {sent['Subject']}",
        body="Dank je!\n\nOn Monday Support wrote:\n> We sturen het vandaag opnieuw.",
        message_id="<answer-1@mail.devries.test>",
        headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
    )
    threaded = services.receive_email(company, answer)
    assert threaded.status == "threaded" and threaded.ticket.pk == ticket.pk
    assert ticket.messages.filter(kind="customer").last().body == "<p>Dank je!</p>"
    assert Ticket.objects.count() == 1
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_reply_is_found_by_the_number_in_the_subject(company):
    first = services.receive_email(company, raw_mail()).ticket
    again = services.receive_email(
        company, raw_mail(subject=f"RE: [{first.number}] Levering kwijt", body="En?")
    )
    assert again.status == "threaded" and again.ticket == first


@pytest.mark.django_db
def test_a_reply_to_a_closed_ticket_opens_a_new_one(company):
    first = services.receive_email(company, raw_mail()).ticket
    services.close_ticket(first)
    again = services.receive_email(
        company, raw_mail(subject=f"Re: [{first.number}] Levering kwijt", body="Weer kapot")
    )
    assert again.status == "created" and again.ticket != first


@pytest.mark.django_db
def test_auto_replies_and_loops_are_logged_and_ignored(company):
    loops = [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<nieuws.devries.test>"},
    ]
    for i, headers in enumerate(loops):
        result = services.receive_email(company, raw_mail(body=f"Ik ben afwezig {i}", headers=headers))
        assert result.status == "loop", headers
    assert services.receive_email(company, raw_mail(sender="MAILER-DAEMON@mx.test")).status == "loop"
    assert services.receive_email(company, raw_mail(sender="no-reply@kern.localhost")).status == "loop"
    assert not Ticket.objects.exists()
    # one sender writing again and again within minutes is a loop too
    statuses = [
        services.receive_email(company, raw_mail(sender="robot@x.test", body=f"{i}")).status for i in range(7)
    ]
    assert statuses == ["created"] * 5 + ["loop", "loop"]
    assert InboundMail.objects.filter(status="loop").count() == 9


@pytest.mark.django_db
def test_the_same_message_twice_makes_one_ticket(company):
    raw = raw_mail(message_id="<once@x.test>")
    assert services.receive_email(company, raw).status == "created"
    assert services.receive_email(company, raw).status == "duplicate"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_dangerous_attachments_are_dropped_and_noted(company):
    result = services.receive_email(
        company,
        raw_mail(
            attachments=[
                ("factuur.pdf.exe", b"MZ...", "application/octet-stream"),
                ("../../etc/passwd", b"root:x", "text/plain"),
                ("script.js", b"alert(1)", "application/octet-stream"),
                ("page.txt", b"<script>", "text/html"),
                ("scan.pdf", b"%PDF-1.4", "application/pdf"),
            ]
        ),
    )
    names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names == ["passwd", "scan.pdf"]
    note = result.ticket.messages.get(kind="note").body
    assert "factuur.pdf.exe" in note and "script.js" in note and "page.txt" in note
    assert "factuur.pdf.exe" in result.log.reason


@pytest.mark.django_db
def test_malformed_and_huge_messages_are_rejected_and_logged(company, settings, monkeypatch):
    monkeypatch.setattr(inbound, "MAX_MESSAGE_BYTES", 2000)
    assert services.receive_email(company, raw_mail(body="x" * 5000)).status == "rejected"
    assert services.receive_email(company, b"\x00\xff garbage without headers").status == "rejected"
    assert (
        services.receive_email(company, b"From: nobody\r\nSubject: =?bogus?Q?x?=\r\n\r\nhi").status
        == "rejected"
    )
    assert services.receive_email(company, b"").status == "rejected"
    assert not Ticket.objects.exists()
    assert InboundMail.objects.filter(status="rejected").count() == 4


@pytest.mark.django_db
def test_html_mail_is_sanitised(company):
    msg = EmailMessage()
    msg["From"] = "x@example.test"
    msg["Subject"] = "HTML"
    msg["Message-ID"] = "<html-1@x.test>"
    msg.set_content(
        '<p onclick="steal()">Hallo<img src=x onerror=alert(1)><script>alert(2)</script></p>', subtype="html"
    )
    ticket = services.receive_email(company, msg.as_bytes()).ticket
    assert ticket.messages.get().body == "<p>Hallo</p>"


class FakePop3(socketserver.StreamRequestHandler):
    """Just enough POP3 (RFC 1939) to serve a list of messages and record deletions."""

    def handle(self):
        box = self.server.box
        self.wfile.write(b"+OK fake pop3\r\n")
        while True:
            line = self.rfile.readline().decode().strip()
            if not line:
                return
            cmd, *args = line.split(" ")
            cmd = cmd.upper()
            if cmd in ("USER", "PASS", "NOOP"):
                ok = cmd != "PASS" or args == ["geheim"]
                self.wfile.write(b"+OK\r\n" if ok else b"-ERR wrong password\r\n")
            elif cmd == "STAT":
                self.wfile.write(f"+OK {len(box)} {sum(len(m) for m in box)}\r\n".encode())
            elif cmd == "RETR":
                raw = box[int(args[0]) - 1]
                lines = [(b"." + ln if ln.startswith(b".") else ln) for ln in raw.split(b"\r\n")]
                self.wfile.write(b"+OK\r\n" + b"\r\n".join(lines) + b"\r\n.\r\n")
            elif cmd == "DELE":
                self.server.deleted.append(int(args[0]))
                self.wfile.write(b"+OK\r\n")
            elif cmd == "QUIT":
                self.wfile.write(b"+OK bye\r\n")
                return
            else:
                self.wfile.write(b"-ERR\r\n")


@pytest.fixture
def pop3_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakePop3)
    server.daemon_threads = True
    server.box, server.deleted = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_polling_a_pop3_mailbox_processes_every_message_even_after_a_bad_one(company, pop3_server):
    pop3_server.box[:] = [
        raw_mail(subject="Eerste vraag", message_id="<1@x.test>")
        .replace(b"\n", b"\r\n")
        .replace(b"\r\r", b"\r"),
        b"complete garbage\r\n\r\n\x00",
        raw_mail(subject="Afwezig", headers={"Auto-Submitted": "auto-replied"}, message_id="<2@x.test>"),
        raw_mail(subject="Tweede vraag", sender="piet@x.test", message_id="<3@x.test>"),
    ]
    team = services.create_team(company, name="Mail")
    mailbox = services.create_mailbox(
        company,
        name="Support",
        protocol="pop3",
        host="127.0.0.1",
        port=pop3_server.server_address[1],
        use_ssl=False,
        username="support",
        password="geheim",
        team=team,
    )
    counts = services.poll_mailbox(mailbox)
    assert counts == {"created": 2, "rejected": 1, "loop": 1}
    assert pop3_server.deleted == [1, 2, 3, 4]
    assert sorted(Ticket.objects.values_list("subject", "team__name")) == [
        ("Eerste vraag", "Mail"),
        ("Tweede vraag", "Mail"),
    ]
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_polled_at is not None


@pytest.mark.django_db
def test_a_mailbox_that_cannot_be_reached_records_the_error(company, pop3_server):
    mailbox = services.create_mailbox(
        company,
        name="Kapot",
        protocol="pop3",
        host="127.0.0.1",
        port=pop3_server.server_address[1],
        use_ssl=False,
        username="support",
        password="fout",
    )
    assert services.poll_mailbox(mailbox) == {}
    mailbox.refresh_from_db()
    assert "wrong password" in mailbox.last_error


class FakeImap:
    """Stands in for imaplib.IMAP4: two unseen messages, and what was flagged."""

    store: dict = {}
    error = imaplib.IMAP4.error

    def __init__(self, host, port, timeout=None):
        self.flagged = FakeImap.store.setdefault("flagged", [])

    def login(self, user, password):
        return "OK", [b"logged in"]

    def select(self, folder):
        return "OK", [b"2"]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b"11 12"]
        if command == "FETCH":
            return "OK", [
                (
                    b"1 (BODY[] {100}",
                    raw_mail(subject=f"IMAP {args[0].decode()}", message_id=f"<imap-{args[0].decode()}@x>"),
                ),
                b")",
            ]
        if command == "STORE":
            self.flagged.append(args[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        return "BYE", []


@pytest.mark.django_db
def test_polling_imap_marks_handled_messages_read(company, monkeypatch):
    FakeImap.store = {}
    monkeypatch.setattr(inbound.imaplib, "IMAP4", FakeImap)
    mailbox = services.create_mailbox(
        company,
        name="IMAP",
        protocol="imap",
        host="imap.x.test",
        port=143,
        use_ssl=False,
        username="u",
        password="p",
    )
    assert services.poll_mailbox(mailbox) == {"created": 2}
    assert FakeImap.store["flagged"] == [b"11", b"12"]
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["IMAP 11", "IMAP 12"]


def test_dangerous_names_and_types():
    from kern.core.exceptions import ValidationFailed

    for name, ctype in [
        ("a.EXE", ""),
        ("rapport.pdf.scr", ""),
        ("x.js.", ""),
        ("ok.pdf", "application/x-msdownload"),
        ("a.svg", ""),
    ]:
        with pytest.raises(ValidationFailed):
            services.refuse_dangerous_file(name, ctype)
    services.refuse_dangerous_file("offerte.pdf", "application/pdf")
    assert services.safe_filename("..\\..\\win.ini") == "win.ini"
    assert services.safe_filename("\x00\x1f.bashrc") == "bashrc"
    assert services.safe_filename("") == "attachment"
