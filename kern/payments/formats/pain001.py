"""Writing SEPA credit transfer files: ISO 20022 pain.001.001.03, validated against the XSD.

Written with lxml rather than a SEPA library because Kern needs what those lack: the
EndToEndId is the Kern payment number (so the camt.053 that comes back is matched to the exact
payment), message and batch ids are the run number (deterministic, re-exportable), and a
vendor's structured payment reference (RF creditor reference or Dutch betalingskenmerk) goes
into `CdtrRefInf` instead of free text. Text is reduced to the SEPA character set.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

__all__ = ["NAMESPACE", "CreditTransfer", "TransferFile", "render_pain001", "sepa_text", "validate_pain001"]

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD = Path(__file__).resolve().parent.parent / "data" / "pain.001.001.03.xsd"
_SEPA_CHARS = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(text: str, limit: int) -> str:
    """Text in the SEPA Latin character set: accents dropped, other characters replaced."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    plain = _SEPA_CHARS.sub(" ", plain)
    return " ".join(plain.split())[:limit].strip()


@dataclass(frozen=True)
class CreditTransfer:
    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_iban: str
    creditor_bic: str = ""
    remittance: str = ""
    structured_reference: str = ""  # RF… (ISO 11649) or a Dutch betalingskenmerk (16 digits)


@dataclass(frozen=True)
class TransferFile:
    message_id: str
    created_at: dt.datetime
    initiator_name: str
    debtor_name: str
    debtor_iban: str
    debtor_bic: str
    execution_date: dt.date
    currency: str
    transfers: list[CreditTransfer]


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", **attrs)
    if text is not None:
        element.text = text
    return element


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def render_pain001(spec: TransferFile) -> bytes:
    if not spec.transfers:
        raise ValueError("a credit transfer file needs at least one transfer")
    total = sum((t.amount for t in spec.transfers), Decimal("0"))
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", sepa_text(spec.message_id, 35))
    _sub(header, "CreDtTm", spec.created_at.replace(microsecond=0, tzinfo=None).isoformat())
    _sub(header, "NbOfTxs", str(len(spec.transfers)))
    _sub(header, "CtrlSum", _money(total))
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(spec.initiator_name, 70))
    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", sepa_text(f"{spec.message_id}-1", 35))
    _sub(info, "PmtMtd", "TRF")
    # One booking per transfer: each comes back as its own statement line, matched by EndToEndId.
    _sub(info, "BtchBookg", "false")
    _sub(info, "NbOfTxs", str(len(spec.transfers)))
    _sub(info, "CtrlSum", _money(total))
    _sub(_sub(_sub(info, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(info, "ReqdExctnDt", spec.execution_date.isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", sepa_text(spec.debtor_name, 70))
    _sub(_sub(_sub(info, "DbtrAcct"), "Id"), "IBAN", spec.debtor_iban)
    institution = _sub(_sub(info, "DbtrAgt"), "FinInstnId")
    if spec.debtor_bic:
        _sub(institution, "BIC", spec.debtor_bic)
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")
    _sub(info, "ChrgBr", "SLEV")
    for transfer in spec.transfers:
        tx = _sub(info, "CdtTrfTxInf")
        _sub(_sub(tx, "PmtId"), "EndToEndId", sepa_text(transfer.end_to_end_id, 35))
        _sub(_sub(tx, "Amt"), "InstdAmt", _money(transfer.amount), Ccy=spec.currency)
        if transfer.creditor_bic:
            _sub(_sub(_sub(tx, "CdtrAgt"), "FinInstnId"), "BIC", transfer.creditor_bic)
        _sub(_sub(tx, "Cdtr"), "Nm", sepa_text(transfer.creditor_name, 70))
        _sub(_sub(_sub(tx, "CdtrAcct"), "Id"), "IBAN", transfer.creditor_iban)
        remittance = _sub(tx, "RmtInf")
        if transfer.structured_reference:
            reference = _sub(_sub(remittance, "Strd"), "CdtrRefInf")
            kind = "SCOR"  # structured communication reference
            issuer = "ISO" if transfer.structured_reference.upper().startswith("RF") else "CUR"
            tp = _sub(_sub(reference, "Tp"), "CdOrPrtry")
            _sub(tp, "Cd", kind)
            _sub(reference.find(f"{{{NAMESPACE}}}Tp"), "Issr", issuer)
            _sub(reference, "Ref", sepa_text(transfer.structured_reference, 35).replace(" ", ""))
        else:
            _sub(remittance, "Ustrd", sepa_text(transfer.remittance or transfer.end_to_end_id, 140))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def validate_pain001(data: bytes) -> list[str]:
    """XSD findings for a pain.001.001.03 document (empty when valid)."""
    schema = _schema()
    document = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
