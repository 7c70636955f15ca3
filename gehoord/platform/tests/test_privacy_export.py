"""The data export (GDPR): one ZIP with data.json and every attachment byte for byte, nothing of
anyone else, no internal notes, and DATA_EXPORTED (format, purpose) on each complaint's timeline."""

import json
import zipfile

import pytest

from conftest import carol_complaint
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Event
from gehoord.platform import data_export
from gehoord.platform.accounts import LinkInvalid
from gehoord.platform.data_export import Purpose
from gehoord.platform.privacy import complaints_of
from gehoord.platform.tests.endings_support import consumer_account, email_only_company, platform_complaint
from gehoord.portal.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

PHOTO = png_bytes()


@pytest.fixture
def sanne():
    return consumer_account("sanne")


@pytest.fixture
def complaints(sanne):
    company = email_only_company(name="Zeepwinkel B.V.")
    first = platform_complaint(company, consumer=sanne, contact_phone="0612345678",
                               uploads=[Upload.from_bytes("../../foto van mij.png", PHOTO)])
    actions.add_message(first, by=Actor.consumer(first), body="Nog steeds niets gehoord.")
    second = platform_complaint(email_only_company("kaaswinkel", name="Kaaswinkel"), description="Oude kaas.")
    someone_else = platform_complaint(company, contact_name="Piet Anders", contact_email="piet@example.nl",
                                      description="Pieter zijn klacht.")
    return first, second, someone_else


def read(archive) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(archive) as opened:
        files = {name: opened.read(name) for name in opened.namelist()}
    return json.loads(files.pop("data.json")), files


def test_the_zip_holds_the_persons_complaints_messages_and_files(complaints, sanne):
    first, second, _someone_else = complaints
    data, files = read(data_export.export(data_export.of_account(sanne), purpose=Purpose.ACCOUNT, user=sanne))

    assert data["account"]["email"] == "sanne@example.nl"
    assert sorted(c["reference"] for c in data["complaints"]) == sorted([first.reference, second.reference])
    exported = next(c for c in data["complaints"] if c["reference"] == first.reference)
    assert exported["contact"]["phone"] == "0612345678"
    assert exported["description"] == first.description
    assert [m["text"] for m in exported["messages"]] == ["Nog steeds niets gehoord."]
    [attachment] = exported["attachments"]
    assert attachment["name"] == "foto van mij.png"
    assert files[attachment["file"]] == PHOTO
    assert attachment["file"] == f"attachments/{first.reference}/{first.attachments.get().pk}-foto_van_mij.png"
    assert "Pieter" not in json.dumps(data)


def test_internal_notes_are_not_exported(complaints, acme, alice):
    complaint = carol_complaint(acme, contact_email="sanne@example.nl")
    actions.add_message(complaint, by=Actor.staff(alice, acme), body="Lastige klant", internal=True)
    data, _files = read(data_export.export(complaints_of("sanne@example.nl"), purpose=Purpose.MAILED_LINK))
    assert "Lastige klant" not in json.dumps(data)


def test_each_export_is_on_the_timeline_with_format_and_purpose(complaints, acme, alice):
    first, second, someone_else = complaints
    data_export.export(complaints_of("SANNE@example.nl").filter(organisation=first.organisation),
                       purpose=Purpose.COMPANY_REQUEST, by=Actor.staff(alice, acme))

    [event] = Event.objects.filter(kind=EventKind.DATA_EXPORTED)
    assert event.complaint == first and event.actor == alice
    assert event.data == {"format": "zip", "purpose": "company_request"}
    assert not Event.objects.filter(kind=EventKind.DATA_EXPORTED, complaint__in=[second, someone_else]).exists()


def test_a_mailed_link_names_its_address_and_a_forged_one_nothing():
    token = data_export.link_token(" Sanne@Example.nl ")
    assert data_export.email_of_link(token) == "sanne@example.nl"
    with pytest.raises(LinkInvalid):
        data_export.email_of_link(token[:-2] + "xx")
