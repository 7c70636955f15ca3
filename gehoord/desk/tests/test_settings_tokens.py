"""Settings page for API tokens: the plaintext is shown once, works as a bearer token, and a
revoked token stops working at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint, make_staff
from gehoord.organisations.models import ApiToken
from gehoord.organisations.models import Role

TOKEN = re.compile(r"ghd_[A-Za-z0-9_-]{20,}")


def url(name, organisation, *args):
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


def api_get(plaintext):
    return Client().get("/api/v1/complaints", headers={"Authorization": f"Bearer {plaintext}"})


@pytest.fixture
def as_ada(ada):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(ada)
    return client


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "oscar"])
def test_only_a_company_admin_sees_or_makes_tokens(request, acme, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("settings_tokens", acme)).status_code == 404
    assert client.post(url("settings_tokens", acme), {"name": "sneaky"}).status_code == 404
    assert not ApiToken.objects.filter(name="sneaky").exists()


def test_the_new_token_is_shown_once_and_works_as_a_bearer_token(as_ada, acme, ada):
    response = as_ada.post(url("settings_tokens", acme), {"name": "web shop"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "It is shown only this once" in page
    [plaintext] = set(TOKEN.findall(page))

    token = ApiToken.objects.get(organisation=acme, name="web shop")
    assert token.created_by == ada
    assert plaintext.startswith(token.prefix)
    assert plaintext not in token.digest

    assert api_get(plaintext).status_code == 200

    later = as_ada.get(url("settings_tokens", acme)).content.decode()
    assert plaintext not in later
    assert token.prefix in later and "web shop" in later


def test_the_list_shows_prefix_name_and_use(as_ada, acme, acme_token):
    api_get(acme_token)
    page = as_ada.get(url("settings_tokens", acme)).content.decode()
    token = ApiToken.objects.get(organisation=acme)
    assert token.prefix in page and "acme integration" in page
    assert token.last_used_at is not None
    assert "never" not in page


def test_a_token_needs_a_name(as_ada, acme):
    response = as_ada.post(url("settings_tokens", acme), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert TOKEN.search(response.content.decode()) is None
    assert not ApiToken.objects.filter(organisation=acme).exists()


def test_a_revoked_token_is_refused_at_once(as_ada, acme, acme_token):
    assert api_get(acme_token).status_code == 200
    token = ApiToken.objects.get(organisation=acme)

    response = as_ada.post(url("settings_token_revoke", acme, token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_get(acme_token).status_code == 401
    assert "revoked" in as_ada.get(url("settings_tokens", acme)).content.decode()


def test_revoking_needs_a_post(as_ada, acme, acme_token):
    token = ApiToken.objects.get(organisation=acme)
    assert as_ada.get(url("settings_token_revoke", acme, token.pk)).status_code == 405
    assert api_get(acme_token).status_code == 200


def test_an_admin_cannot_revoke_another_organisations_token(acme, other, acme_token):
    olga = make_staff(other, "olga", Role.ADMIN)
    client = Client()
    client.force_login(olga)
    token = ApiToken.objects.get(organisation=acme)
    assert client.post(url("settings_token_revoke", other, token.pk)).status_code == 404
    assert client.post(url("settings_token_revoke", acme, token.pk)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_get(acme_token).status_code == 200


def test_a_new_token_is_scoped_to_its_organisation(as_ada, acme, other):
    ours = carol_complaint(acme)
    carol_complaint(other)
    response = as_ada.post(url("settings_tokens", acme), {"name": "crm"})
    [plaintext] = set(TOKEN.findall(response.content.decode()))
    listed = api_get(plaintext).json()
    assert listed["count"] == 1
    assert [item["reference"] for item in listed["items"]] == [ours.reference]
