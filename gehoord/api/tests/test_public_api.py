"""The public API: companies, score cards and published complaints, redacted, read-only, no token,
limited per client address; never anything private, pending, withheld or unpublished."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from gehoord.api.public import PerClientAddress
from gehoord.api.tests.test_openapi import PUBLIC_ENDPOINTS, assert_documented, spec  # noqa: F401  (a fixture)
from gehoord.complaints.models import Message, Publication
from gehoord.platform import scores
from gehoord.platform.tests.platform_complaints import company_reply, email_only_company, platform_complaint

pytestmark = pytest.mark.django_db
SECRET = "SECRET-DO-NOT-PUBLISH"
API = "/api/v1/public"


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def kettles():
    return email_only_company("kettles", name="Kettles & Co", website="https://kettles.example")


@pytest.fixture
def published(kettles):
    complaint = platform_complaint(
        kettles, received_at=ago(40), replied_after=datetime.timedelta(hours=5), resolved=True,
        description="Broke. Call 06-12345678 or mail carol@example.com.", desired_solution="Refund to NL91ABNA0417164300",
    )
    company_reply(complaint, "Sorry, mail desk@kettles.example")
    company_reply(complaint, f"pending {SECRET}", publication=Publication.PENDING)
    company_reply(complaint, f"note {SECRET}", kind=Message.Kind.NOTE)
    for state in (Publication.PRIVATE, Publication.PENDING, Publication.WITHHELD):
        platform_complaint(kettles, received_at=ago(30), publication=state, description=f"{state} {SECRET}")
    return complaint


def test_a_published_complaint_is_redacted_with_its_published_replies(client, spec, published):  # noqa: F811
    response = client.get(f"{API}/complaints/{published.public_id}")
    assert_documented(spec, "/api/v1/public/complaints/{public_id}", "get", response)
    body = response.json()
    assert body["description"] == "Broke. Call [phone number removed] or mail [e-mail address removed]."
    assert body["desired_solution"] == "Refund to [bank account removed]"
    assert body["consumer"] == "Carol M."
    assert [(reply["author"], reply["body"]) for reply in body["replies"]] == [
        ("company", "Sorry, mail [e-mail address removed]")
    ]
    assert "contact_email" not in body and "reference" not in body


def test_nothing_unpublished_is_found_or_listed(client, spec, kettles, published):  # noqa: F811
    scores.refresh_due()
    for url, path in [
        (f"{API}/complaints", "/api/v1/public/complaints"),
        (f"{API}/companies/kettles/complaints", "/api/v1/public/companies/{slug}/complaints"),
    ]:
        response = client.get(url)
        assert_documented(spec, path, "get", response)
        assert [item["public_id"] for item in response.json()["complaints"]] == [published.public_id]
        assert SECRET not in response.content.decode()
    for hidden in kettles.complaints.exclude(pk=published.pk):
        missing = client.get(f"{API}/complaints/{hidden.public_id}")
        assert missing.status_code == 404
        assert missing.json() == client.get(f"{API}/complaints/NOSUCH").json()
        assert_documented(spec, "/api/v1/public/complaints/{public_id}", "get", missing)


def test_a_company_and_its_score_card(client, spec, kettles):  # noqa: F811
    for day in range(5):
        platform_complaint(kettles, received_at=ago(40 + day), replied_after=datetime.timedelta(hours=2), resolved=True)
    before = client.get(f"{API}/companies/kettles/score")
    assert_documented(spec, "/api/v1/public/companies/{slug}/score", "get", before)
    assert before.json()["computed"] is False and before.json()["score"] is None
    scores.refresh_due()
    card = client.get(f"{API}/companies/kettles/score")
    assert_documented(spec, "/api/v1/public/companies/{slug}/score", "get", card)
    assert card.json()["score"] == 66.7  # five perfect complaints smoothed with ten at the default 0.5
    assert card.json()["weights"] == {"resolution": 50, "response_rate": 35, "speed": 15}
    entry = client.get(f"{API}/companies/kettles")
    assert_documented(spec, "/api/v1/public/companies/{slug}", "get", entry)
    assert entry.json() == {"slug": "kettles", "name": "Kettles & Co", "website": "https://kettles.example",
                            "country": "NL", "verified": False, "connected": False}
    duplicate = email_only_company("kettles-bv", merged_into=kettles)
    assert client.get(f"{API}/companies/{duplicate.slug}/score").json()["company"] == "kettles"


def test_companies_are_listed_by_slug_a_page_at_a_time(client, spec):  # noqa: F811
    for slug in ("cee", "bee", "aaa", "dee"):
        email_only_company(slug)
    email_only_company("merged", merged_into=email_only_company("survivor"))
    first = client.get(f"{API}/companies?limit=2")
    assert_documented(spec, "/api/v1/public/companies", "get", first)
    assert [c["slug"] for c in first.json()["companies"]] == ["aaa", "bee"]
    rest = client.get(f"{API}/companies?limit=10&after={first.json()['next_after']}").json()
    assert [c["slug"] for c in rest["companies"]] == ["cee", "dee", "survivor"]
    assert rest["next_after"] is None


@pytest.mark.parametrize("url", ["/companies/a%20b", "/companies?after=%27%3B", "/complaints?page=0",
                                 "/complaints?page=9999", "/companies?limit=1000", "/complaints/%00"])
def test_hostile_input_is_refused(client, url):
    assert client.get(f"{API}{url}").status_code in (404, 422)


def test_no_token_is_needed_and_writes_are_not_offered(spec):  # noqa: F811
    for path, methods in PUBLIC_ENDPOINTS.items():
        assert methods == {"get"}
        operation = spec["paths"][path]["get"]
        assert "security" not in operation or operation["security"] in ([], [{}]), path
        assert "429" in operation["responses"], path


def test_each_client_address_is_limited(published, monkeypatch):
    monkeypatch.setattr(PerClientAddress, "limit", 3)
    greedy, patient = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    answers = [greedy.get(f"{API}/complaints").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert patient.get(f"{API}/complaints").status_code == 200
