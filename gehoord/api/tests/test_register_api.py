"""The register through the API (issue 14): /api/v1/complaints takes the register's filters, and
/api/v1/register.csv streams the same selection as CSV, all pages, within the token's
organisation, each export an entry of the access log."""

import csv
import io

import pytest

from conftest import carol_complaint
from gehoord.api.tests.conftest import ApiClient
from gehoord.complaints.models import Complaint, Outcome, Status
from gehoord.insights.models import RegisterExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(acme, other):
    lamp = carol_complaint(acme, product="Lamp", channel="email", contact_email="dirk@example.nl")
    bed = carol_complaint(acme, product="Boxspring")
    Complaint.objects.filter(pk=bed.pk).update(status=Status.CLOSED, outcome=Outcome.NOT_UPHELD)
    carol_complaint(other, product="Lamp")
    return lamp, bed


def exported(answer) -> list[list[str]]:
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))


def test_the_list_takes_the_register_filters(acme_api, filed):
    lamp, bed = filed
    for params, expected in (
        ({"product": "LAMP"}, [lamp]),
        ({"channel": "email"}, [lamp]),
        ({"outcome": "not_upheld"}, [bed]),
        ({"order": "oldest"}, [lamp, bed]),
    ):
        answer = acme_api.get("/complaints", params)
        assert answer.status_code == 200, answer.content
        assert [item["reference"] for item in answer.json()["items"]] == [c.reference for c in expected], params


def test_the_csv_export_holds_the_tokens_organisation_only_and_is_logged(acme, acme_api, filed):
    lamp, bed = filed
    header, *rows = exported(acme_api.get("/register.csv", {"product": "lamp"}, headers={"Accept-Language": "en"}))
    assert header[0] == "Reference" and [row[0] for row in rows] == [lamp.reference]
    entry = RegisterExport.objects.get()
    assert (entry.organisation, entry.actor, entry.actor_label, entry.rows, entry.finished) == (
        acme, None, "API: acme integration", 1, True)
    assert entry.filters == {"product": "lamp", "order": "received"}


def test_the_export_refuses_a_bad_filter_and_logs_nothing(acme_api, filed):
    answer = acme_api.get("/register.csv", {"outcome": "maybe"})
    assert answer.status_code == 422 and answer.json()["code"] == "invalid"
    assert not RegisterExport.objects.exists()


def test_no_token_no_export(filed):
    assert ApiClient(None).get("/register.csv").status_code == 401
    assert not RegisterExport.objects.exists()
