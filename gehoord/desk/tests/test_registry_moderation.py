"""The moderators' registry pages: the list (unverified first, search), editing and verifying an
entry, merging a duplicate; nobody but a moderator gets in."""

import pytest
from django.contrib.auth import get_user_model

from conftest import carol_complaint, make_organisation
from gehoord.complaints.models import EventKind
from gehoord.desk.tests.conftest import browser
from gehoord.organisations.models import ConsumerAccount, Organisation, PlatformMembership, PlatformRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def mo(db):
    """Moderator Mo."""
    user = get_user_model().objects.create_user(username="mo", first_name="Mo")
    PlatformMembership.objects.create(user=user, role=PlatformRole.MODERATOR)
    return user


@pytest.fixture
def as_mo(mo):
    return browser(mo)


def company(slug, **fields):
    return make_organisation(slug, preset="platform", **fields)


def edit_form(**fields) -> dict:
    return {"name": "Coolblue", "complaint_email": "klantenservice@coolblue.example", "website": "https://www.coolblue.nl",
            "registration_number": "24401097", "country": "NL", "contact_person": "Pat Jansen", "verified": "on", **fields}


def test_only_moderators_get_in(client, acme, alice, oscar):
    entry = company("shop", name="Shop")
    legal = get_user_model().objects.create_user(username="lea")
    PlatformMembership.objects.create(user=legal, role=PlatformRole.LEGAL_ADVISOR)
    consumer = get_user_model().objects.create_user(username="carol")
    ConsumerAccount.objects.create(user=consumer)
    admin = get_user_model().objects.create_superuser(username="root", password="x")
    urls = ["/moderatie/bedrijven/", f"/moderatie/bedrijven/{entry.slug}/", f"/moderatie/bedrijven/{entry.slug}/samenvoegen/"]
    for url in urls:
        assert client.get(url).status_code == 302  # to log in
        for user in (alice, oscar, legal, consumer, admin):
            assert browser(user).get(url).status_code == 404, (url, user)
            assert browser(user).post(url, edit_form()).status_code == 404, (url, user)
    assert Organisation.objects.get(pk=entry.pk).name == "Shop"


def test_the_list_shows_unverified_entries_first_and_searches(as_mo):
    company("alpha", name="Alpha", verified=True)
    company("zulu", name="Zulu")
    company("beta", name="Beta Shop", website="https://beta.example")
    html = as_mo.get("/moderatie/bedrijven/").content.decode()
    assert html.index(">Beta Shop<") < html.index(">Zulu<") < html.index(">Alpha<")
    found = as_mo.get("/moderatie/bedrijven/", {"q": "beta.example"}).content.decode()
    assert 'href="/moderatie/bedrijven/beta/"' in found and "/moderatie/bedrijven/zulu/" not in found


def test_a_moderator_edits_every_field_and_verifies_the_entry(as_mo):
    entry = company("coolblue", name="Cool blue")
    response = as_mo.post(f"/moderatie/bedrijven/{entry.slug}/", edit_form())
    assert response.status_code == 302 and response["Location"] == "/moderatie/bedrijven/coolblue/"
    entry.refresh_from_db()
    assert (entry.name, entry.complaint_email, entry.website, entry.registration_number, entry.contact_person,
            entry.verified, entry.slug) == (
        "Coolblue", "klantenservice@coolblue.example", "https://www.coolblue.nl", "24401097", "Pat Jansen", True, "coolblue"
    )
    assert "The entry of Coolblue is saved." in as_mo.get(response["Location"]).content.decode()


def test_a_bad_edit_changes_nothing_and_says_why(as_mo):
    entry = company("coolblue", name="Coolblue")
    response = as_mo.post(f"/moderatie/bedrijven/{entry.slug}/", edit_form(complaint_email="x@[10.0.0.1]", name="New"))
    assert response.status_code == 200
    assert "Enter an e-mail address with a domain name" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.name, entry.verified) == ("Coolblue", False)


def test_a_moderator_merges_a_duplicate_and_every_complaint_moves(as_mo):
    survivor = company("coolblue", name="Coolblue")
    duplicate = company("coolblue-bv", name="Coolblue BV")
    moved = [carol_complaint(duplicate, contact_email=f"c{n}@example.nl") for n in range(2)]
    page = as_mo.get(f"/moderatie/bedrijven/{duplicate.slug}/samenvoegen/").content.decode()
    assert 'name="into" value="coolblue"' in page and 'name="into" value="coolblue-bv"' not in page
    response = as_mo.post(f"/moderatie/bedrijven/{duplicate.slug}/samenvoegen/", {"into": "coolblue"})
    assert response.status_code == 302 and response["Location"] == "/moderatie/bedrijven/coolblue/"
    assert "Coolblue BV is merged into Coolblue; 2 complaints moved." in as_mo.get(response["Location"]).content.decode()
    for complaint in moved:
        complaint.refresh_from_db()
        assert complaint.organisation == survivor
        assert complaint.events.filter(kind=EventKind.MOVED, actor_label="Mo").exists()
    assert Organisation.objects.get(pk=duplicate.pk).merged_into == survivor
    assert as_mo.get(f"/moderatie/bedrijven/{duplicate.slug}/").status_code == 404


@pytest.mark.parametrize(
    ("into", "reason"),
    [
        ("same", "An entry cannot be merged into itself."),
        ("merged", "was itself merged into another entry"),
        ("tenant", "Both entries are connected companies"),
        ("nobody", "There is no entry nobody."),
    ],
)
def test_a_refused_merge_says_why_and_changes_nothing(as_mo, into, reason):
    duplicate = company("same", name="Same", connected=True)
    complaint = carol_complaint(duplicate)
    target = company("target", name="Target")
    company("merged", name="Merged", merged_into=target)
    company("tenant", name="Tenant", connected=True)
    response = as_mo.post(f"/moderatie/bedrijven/{duplicate.slug}/samenvoegen/", {"into": into}, follow=True)
    assert reason in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.organisation == duplicate
    assert Organisation.objects.get(pk=duplicate.pk).merged_into is None
    assert not complaint.events.filter(kind=EventKind.MOVED).exists()
