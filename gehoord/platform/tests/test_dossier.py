"""The dossier export: one real PDF with the whole file in the viewer's language, and a ZIP of the
attachments byte for byte. No text anyone wrote can inject Typst markup."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.platform import dossier
from gehoord.platform.dossier import Purpose
from gehoord.platform.tests.endings_support import email_only_company, platform_complaint
from gehoord.portal.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

# Everything Typst would read as markup, code, maths, labels or references, and an escape.
HOSTILE = 'Kapot #set page(width: 1cm) #let x = 1 [link] $x^2$ \\ @ref <label> *vet* _schuin_ = kop #"str" // comment'
PHOTO = png_bytes()
PDF_BYTES = b"%PDF-1.4\n% a receipt\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def complaint():
    company = email_only_company(name="Zeepwinkel B.V.")
    complaint = platform_complaint(
        company,
        days_ago=40,
        description=HOSTILE,
        uploads=[Upload.from_bytes("foto.png", PHOTO), Upload.from_bytes("../../bon.pdf", PDF_BYTES)],
    )
    by = Actor.consumer(complaint)
    actions.add_message(complaint, by=by, body="Nog steeds geen reactie. ]#[ $")
    actions.perform("close_unanswered", complaint, by=by)
    complaint.refresh_from_db()
    return complaint


def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_the_pdf_holds_the_reference_details_messages_deadlines_and_timeline(complaint):
    document = dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID, language="en")
    assert document.startswith(b"%PDF-")
    text = text_of(document)
    assert f"Dossier of complaint {complaint.reference}" in text
    assert "Zeepwinkel B.V." in text and "Sanne Jansen" in text
    assert "Nog steeds geen reactie." in text
    assert "foto.png" in text and "bon.pdf" in text
    # The receipt was confirmed at once; the answer deadline ended with the closing, unmet.
    assert "Deadlines" in text and "met in time" in text and "no longer needed" in text
    assert "Timeline" in text and "Complaint received" in text and "Closed" in text
    assert "unanswered" in text


def test_markup_in_any_text_stays_text(complaint):
    text = " ".join(text_of(dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID, language="en")).split())
    # Had any of it been read as markup, the page would be 1 cm wide, the brackets and dollars gone.
    assert " ".join(HOSTILE.split()) in text
    assert "]#[ $" in text


def test_in_the_viewers_language(complaint):
    english = text_of(dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.REFERRAL, language="en"))
    dutch = text_of(dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.REFERRAL, language="nl"))
    assert "Timeline" in english and "Timeline" not in dutch
    assert complaint.reference in dutch


def test_each_export_is_on_the_timeline(complaint):
    dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID, language="en")
    dossier.attachments_zip(complaint, by=Actor.system(), purpose=Purpose.REFERRAL)
    exports = [event.data for event in complaint.events.filter(kind="dossier_exported")]
    assert exports == [{"format": "pdf", "purpose": "legal_aid"}, {"format": "zip", "purpose": "referral"}]


def test_the_zip_holds_every_attachment_byte_for_byte_with_safe_names(complaint):
    archive = zipfile.ZipFile(dossier.attachments_zip(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID))
    assert archive.namelist() == ["001-foto.png", "002-bon.pdf"]
    assert archive.read("001-foto.png") == PHOTO
    assert archive.read("002-bon.pdf") == PDF_BYTES
    assert archive.testzip() is None


def test_a_complaint_without_files_gives_an_empty_zip_and_a_pdf_saying_none():
    complaint = platform_complaint(email_only_company())
    assert zipfile.ZipFile(dossier.attachments_zip(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID)).namelist() == []
    assert "None." in text_of(dossier.pdf(complaint, by=Actor.system(), purpose=Purpose.LEGAL_AID, language="en"))
