"""`kern import camt053 FILE` and `kern export pain001 --run ID --output FILE`."""

import io

import pytest
from django.core.management import call_command

from kern.core.registry import EXPORTS
from kern.parties import services as party_services
from kern.payments.formats.pain001 import validate_pain001
from kern.payments.models import BankStatement
from kern.payments.services import approve_payment_run, create_bank_journal, propose_payment_run
from tests.builders import a_user, a_vendor, an_open_item
from tests.payments.camt import a_camt053, a_line
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db


def test_import_and_export_from_the_command_line(company, tmp_path, capsys):
    create_bank_journal(company, name="Bank", iban="NL91ABNA0417164300")
    statement = tmp_path / "s.xml"
    statement.write_bytes(a_camt053("NL91ABNA0417164300", D(3, 1), a_line("5.00", D(3, 1), remittance="x")))
    call_command("import", "camt053", str(statement), "--company", str(company.pk))
    assert BankStatement.objects.count() == 1
    assert "left for the reconciliation screen 1" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        call_command("import", "camt053", str(statement), "--company", str(company.pk))
    assert failed.value.code == 1 and BankStatement.objects.count() == 1

    vendor = a_vendor(company)
    party_services.add_bank_account(vendor, iban="NL20INGB0001234567")
    an_open_item(company, vendor, "99.00", kind="payable", on=D(3, 1), due_days=0)
    run = propose_payment_run(company, execution_date=D(3, 2))
    approve_payment_run(run, by=a_user(company, "controller"))
    output = tmp_path / "run.xml"
    out, err = io.StringIO(), io.StringIO()
    code = EXPORTS["pain001"](["--run", run.number, "--output", str(output)], stdout=out, stderr=err)
    assert code == 0 and "wrote" in out.getvalue()
    assert validate_pain001(output.read_bytes()) == []
    assert EXPORTS["pain001"](["--run", "RUN-0000-9999", "--output", "-"], stdout=out, stderr=err) == 1
