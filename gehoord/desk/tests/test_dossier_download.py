"""The desk's referral uses the platform's dossier export: a complaint manager downloads the PDF
and the ZIP from the complaint's page, next to the refer action; nobody else does."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conftest import carol_complaint
from gehoord.complaints.attachments import Upload
from gehoord.desk.tests.conftest import PDF, browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(acme):
    return carol_complaint(acme, uploads=[Upload.from_bytes("bon.pdf", PDF)])


def url(complaint, fmt):
    return reverse("desk:dossier", args=[complaint.organisation.slug, complaint.reference, fmt])


def test_the_manager_sees_the_downloads_on_the_complaint_page(as_manon_browser, filed):
    html = as_manon_browser.get(reverse("desk:complaint", args=["acme", filed.reference])).content.decode()
    assert url(filed, "pdf") in html and url(filed, "zip") in html


def test_an_agent_neither_sees_nor_downloads_them(as_alice_browser, filed):
    html = as_alice_browser.get(reverse("desk:complaint", args=["acme", filed.reference])).content.decode()
    assert url(filed, "pdf") not in html
    assert as_alice_browser.get(url(filed, "pdf")).status_code == 404
    assert not filed.events.filter(kind="dossier_exported").exists()


def test_the_pdf_in_the_managers_language_with_the_file(as_manon_browser, filed):
    response = as_manon_browser.get(url(filed, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert f"Dossier of complaint {filed.reference}" in text
    assert "De boxspring kwam beschadigd aan." in text and "bon.pdf" in text
    assert "for referral to an external body" in text
    assert filed.events.get(kind="dossier_exported").data == {"format": "pdf", "purpose": "referral"}


def test_the_zip_holds_the_files_byte_for_byte(as_manon_browser, filed):
    response = as_manon_browser.get(url(filed, "zip"))
    assert response["Content-Type"] == "application/zip"
    assert f'filename="dossier-{filed.reference}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["001-bon.pdf"] and archive.read("001-bon.pdf") == PDF


def test_another_organisations_manager_gets_nothing(oscar, filed):
    assert browser(oscar).get(reverse("desk:dossier", args=["other", filed.reference, "pdf"])).status_code == 404
    assert browser(oscar).get(url(filed, "pdf")).status_code == 404


def test_an_unknown_format_is_not_found(as_manon_browser, filed):
    assert as_manon_browser.get(url(filed, "docx")).status_code == 404
