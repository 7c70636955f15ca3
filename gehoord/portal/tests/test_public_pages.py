"""The platform's public pages: a company's entry and score card, published complaints, redacted.

Nothing private, pending, withheld or unpublished may reach any of them."""

import datetime
import re

import pytest
from django.utils import timezone

from gehoord.complaints.models import Message, Publication
from gehoord.platform import scores
from gehoord.platform.tests.platform_complaints import company_reply, email_only_company, platform_complaint

pytestmark = pytest.mark.django_db
SECRET = "SECRET-DO-NOT-PUBLISH"


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def kettles():
    return email_only_company("kettles", name="Kettles & Co", website="https://kettles.example", verified=True)


@pytest.fixture
def world(kettles):
    """Kettles with one published complaint (with replies in every publication state) and one of each
    state that must stay off the public pages."""
    published = platform_complaint(
        kettles, received_at=ago(40), replied_after=datetime.timedelta(hours=5), resolved=True,
        description="Kettle broke. Call me on 06-12345678 or mail carol@example.com.",
        desired_solution="Refund to NL91 ABNA 0417 1643 00",
    )
    company_reply(published, "Sorry! Mail our desk at desk@kettles.example.")
    company_reply(published, f"pending {SECRET}", publication=Publication.PENDING)
    company_reply(published, f"withheld {SECRET}", publication=Publication.WITHHELD)
    company_reply(published, f"private {SECRET}", publication=Publication.PRIVATE)
    company_reply(published, f"note {SECRET}", kind=Message.Kind.NOTE)
    unconfirmed = company_reply(published, f"unconfirmed {SECRET}")
    Message.objects.filter(pk=unconfirmed.pk).update(sender_confirmed=False)
    hidden = {
        state: platform_complaint(kettles, received_at=ago(30), publication=state, description=f"{state} {SECRET}")
        for state in (Publication.PRIVATE, Publication.PENDING, Publication.WITHHELD)
    }
    return published, hidden


def without_tokens(response) -> str:
    # The language switch carries a fresh CSRF token on every page.
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())


def public_urls(client, kettles, published):
    return [
        "/klachten/",
        f"/klachten/{published.public_id}/",
        f"/bedrijven/{kettles.slug}/",
        f"/api/v1/public/companies/{kettles.slug}",
        f"/api/v1/public/companies/{kettles.slug}/score",
        f"/api/v1/public/companies/{kettles.slug}/complaints",
        f"/api/v1/public/complaints/{published.public_id}",
        "/api/v1/public/complaints",
    ]


def test_a_published_complaint_shows_redacted_with_its_published_replies(client, world):
    published, _hidden = world
    page = client.get(f"/klachten/{published.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kettle broke." in page
    assert "Sorry! Mail our desk at" in page
    for personal in ("06-12345678", "carol@example.com", "NL91 ABNA", "desk@kettles.example", "van der Meer"):
        assert personal not in page
    assert "[phone number removed]" in page and "[bank account removed]" in page
    assert "Carol M." in page
    assert SECRET not in page


def test_anything_not_published_answers_the_same_404(client, world):
    _published, hidden = world
    missing = client.get("/klachten/NOSUCHCOMPLAINT/")
    assert client.get("/klachten/KL%00X/").status_code == 404
    assert missing.status_code == 404
    for complaint in hidden.values():
        response = client.get(f"/klachten/{complaint.public_id}/")
        assert response.status_code == 404
        assert without_tokens(response) == without_tokens(missing)


def test_no_public_url_shows_anything_private(client, world, kettles):
    published, hidden = world
    scores.refresh_due()
    for url in public_urls(client, kettles, published):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body, url
        for complaint in hidden.values():
            assert complaint.public_id not in body, url
        assert "carol@example.com" not in body and "06-12345678" not in body, url


def test_the_company_page_shows_its_entry_score_card_chart_and_public_complaints(client, kettles, django_assert_max_num_queries):
    for day in range(6):
        platform_complaint(kettles, received_at=ago(40 + day), replied_after=datetime.timedelta(hours=3),
                           resolved=day != 0, published=day < 3, description=f"Complaint number {day}")
    scores.refresh_due()
    with django_assert_max_num_queries(6):
        response = client.get("/bedrijven/kettles/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "<title>Kettles &amp; Co: score card and complaints · Gehoord</title>" in page
    assert '<meta name="description"' in page
    assert '<link rel="canonical" href="http://testserver/bedrijven/kettles/">' in page
    assert "https://kettles.example" in page and "by e-mail" in page and "verified" in page
    card = kettles.score
    card.refresh_from_db()
    assert f"<strong>{round(card.score)}</strong> / 100" in page
    assert "(5 of 6 judged complaints resolved)" in page
    assert "How the score is computed" in page and "resolution 50%" in page
    assert "<svg" in page and "<table>" in page and "<script" not in page.split("<main")[1]
    listed = list(dict.fromkeys(re.findall(r"Complaint number (\d)", page)))
    assert listed == ["0", "1", "2"]  # public ones only, newest first


def test_a_company_without_enough_or_public_complaints_says_so(client, kettles):
    platform_complaint(kettles, received_at=ago(40), published=False)
    scores.refresh_due()
    page = client.get("/bedrijven/kettles/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not enough complaints yet for a score: 1 complaint in the period, a score needs 5." in page
    assert "No public complaints yet." in page
    unscored = email_only_company("fresh")
    page = client.get(f"/bedrijven/{unscored.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not enough complaints yet" in page and "No public complaints yet." in page


def test_a_merged_entry_redirects_permanently_to_the_surviving_company(client, kettles):
    duplicate = email_only_company("kettles-bv", merged_into=kettles)
    response = client.get(f"/bedrijven/{duplicate.slug}/")
    assert response.status_code == 301
    assert response["Location"] == "/bedrijven/kettles/"
    assert client.get("/bedrijven/nobody/").status_code == 404


def test_lists_are_paginated_newest_first_and_refuse_nonsense_pages(client, kettles, django_assert_max_num_queries):
    for day in range(25):
        platform_complaint(kettles, received_at=ago(day + 1), description=f"Complaint number {day:02}")
    with django_assert_max_num_queries(3):
        first = client.get("/klachten/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert list(dict.fromkeys(re.findall(r"Complaint number (\d\d)", first)))[:2] == ["00", "01"]
    assert 'rel="next" href="?pagina=2"' in first
    second = client.get("/klachten/?pagina=2").content.decode()
    assert list(dict.fromkeys(re.findall(r"Complaint number (\d\d)", second))) == ["20", "21", "22", "23", "24"]
    company_second = client.get("/bedrijven/kettles/?pagina=2").content.decode()
    assert "Complaint number 24" in company_second
    for nonsense in ("0", "-1", "abc", "3", "99999", "1%27", "%C2%B2", "%D9%A3"):
        assert client.get(f"/klachten/?pagina={nonsense}").status_code == 404, nonsense


def test_a_public_complaint_page_takes_few_queries(client, world, django_assert_max_num_queries):
    published, _hidden = world
    with django_assert_max_num_queries(2):
        response = client.get(f"/klachten/{published.public_id}/")
    assert response.status_code == 200
    assert f'<link rel="canonical" href="http://testserver/klachten/{published.public_id}/">' in response.content.decode()


@pytest.mark.parametrize(("language", "name"), [("en", "Belgium"), ("nl", "België")])
def test_the_company_page_names_its_country_in_the_readers_language(client, language, name):
    email_only_company("brussels", country="BE")
    page = client.get("/bedrijven/brussels/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<dd>{name}</dd>" in page
