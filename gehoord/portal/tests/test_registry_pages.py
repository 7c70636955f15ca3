"""The registry's consumer pages: /bedrijven/ (search), /klacht/ (choose the company) and
/bedrijven/toevoegen/ (add a missing company), with hostile input and rate limits."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import make_organisation
from gehoord.organisations.models import ConsumerAccount, Organisation
from gehoord.platform import registry
from gehoord.portal import ratelimit
from gehoord.portal.tests.conftest import inline_scripts, inline_styles

pytestmark = pytest.mark.django_db

SEARCH = "/bedrijven/"
CHOOSE = "/klacht/"
ADD = "/bedrijven/toevoegen/"


def english_client(user=None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def carol(db):
    """Consumer Carol, with her platform account."""
    user = get_user_model().objects.create_user(username="carol@example.nl", email="carol@example.nl")
    ConsumerAccount.objects.create(user=user)
    return user


@pytest.fixture
def as_carol(carol):
    return english_client(carol)


def company(slug, **fields):
    return make_organisation(slug, preset="platform", **fields)


def test_the_urls_are_named_as_the_other_parts_expect():
    assert (reverse("portal:registry_search"), reverse("portal:platform_file"), reverse("portal:registry_add")) == (
        SEARCH, CHOOSE, ADD
    )


# Search


def test_a_search_shows_each_hit_with_its_details_and_links_best_first():
    company("deco-home", name="Deco Home Store", website="https://deco.example", country="BE", verified=True)
    company("home24", name="Home24")
    html = english_client().get(SEARCH, {"q": "Home"}).content.decode()
    assert html.index("Home24") < html.index("Deco Home Store")
    assert 'href="/bedrijven/deco-home/"' in html and 'href="/bedrijven/deco-home/klacht/"' in html
    assert "https://deco.example" in html and "BE" in html
    assert "2 companies found" in html
    deco, home24 = html.split("Deco Home Store")[1], html.split("Home24")[1]
    assert deco.split("</li>")[0].count(">verified<") == 1
    assert home24.split("</li>")[0].count(">not verified<") == 1


def test_a_search_by_registry_number_or_website_finds_the_company():
    company("ikea", name="IKEA", registration_number="BE 0403.170.701", website="https://www.ikea.be")
    client = english_client()
    for typed in ("0403170701", "BE 0403.170.701", "ikea.be", "https://www.ikea.be/nl/klantenservice"):
        assert 'href="/bedrijven/ikea/"' in client.get(SEARCH, {"q": typed}).content.decode(), typed


def test_merged_entries_are_not_listed():
    kept = company("kept", name="Bakkerij Jansen")
    gone = company("gone", name="Bakkerij Jansen BV")
    Organisation.objects.filter(pk=gone.pk).update(merged_into=kept)
    html = english_client().get(SEARCH, {"q": "bakkerij"}).content.decode()
    assert 'href="/bedrijven/kept/"' in html and "/bedrijven/gone/" not in html


def test_the_results_are_paginated():
    for number in range(25):
        company(f"winkel-{number:02}", name=f"Winkel {number:02}")
    client = english_client()
    first = client.get(SEARCH, {"q": "winkel"}).content.decode()
    second = client.get(SEARCH, {"q": "winkel", "page": 2}).content.decode()
    assert "Page 1 of 2" in first and "/bedrijven/winkel-19/" in first and "/bedrijven/winkel-20/" not in first
    assert "/bedrijven/winkel-24/" in second and "/bedrijven/winkel-00/" not in second
    assert 'href="?q=winkel&amp;page=2"' in first
    assert client.get(SEARCH, {"q": "winkel", "page": "x<script>"}).status_code == 200


def test_no_hit_offers_to_add_the_company_with_what_was_typed():
    html = english_client().get(SEARCH, {"q": "Nergens & Co"}).content.decode()
    assert "No company in the registry matches your search." in html
    assert f'href="{ADD}?naam=Nergens%20%26%20Co"' in html


def test_html_in_a_name_or_a_query_is_shown_as_text():
    company("evil", name="<script>alert(1)</script> Shop")
    html = english_client().get(SEARCH, {"q": "<script>alert(1)"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Shop" in html
    assert "<script>alert(1)" not in html


def test_a_huge_query_is_refused_without_searching():
    response = english_client().get(SEARCH, {"q": "x" * 100_000})
    assert response.status_code == 200
    assert "companies found" not in response.content.decode()


def test_searches_are_rate_limited_per_client_address():
    company("shop", name="Shop")
    for _ in range(ratelimit.REGISTRY_SEARCHES_PER_IP.limit):
        ratelimit.REGISTRY_SEARCHES_PER_IP.take("127.0.0.1")
    response = english_client().get(SEARCH, {"q": "shop"})
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert "/bedrijven/shop/" not in response.content.decode()


def test_choosing_the_company_leads_to_filing_about_it():
    company("shop", name="Shop")
    client = english_client()
    empty = client.get(CHOOSE).content.decode()
    assert "Which company is your complaint about?" in empty and f'href="{ADD}"' in empty
    html = client.get(CHOOSE, {"q": "shop"}).content.decode()
    assert 'href="/bedrijven/shop/klacht/"' in html and 'href="/bedrijven/shop/"' not in html
    assert f'action="{CHOOSE}"' in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pages_have_no_inline_script_or_style(as_carol, language):
    company("shop", name="Shop")
    as_carol.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    for url in ("/", f"{SEARCH}?q=shop", f"{CHOOSE}?q=shop", ADD):
        html = as_carol.get(url, headers={"accept-language": language}).content.decode()
        assert f'<html lang="{language}">' in html, url
        assert inline_scripts(html) == [] and inline_styles(html) == [], url


def test_the_home_page_offers_the_search_filing_and_the_connected_companies_forms():
    company("desk-shop", name="Desk Shop", connected=True)
    company("mail-only", name="Mail Only")
    html = english_client().get("/").content.decode()
    assert f'action="{SEARCH}"' in html and 'name="q"' in html
    assert f'href="{CHOOSE}"' in html
    assert 'href="/o/desk-shop/klacht/"' in html and "/o/mail-only/" not in html


# Adding a company


def form(**fields) -> dict:
    return {"name": "Fietsenwinkel De Spaak", "complaint_email": "klachten@despaak.nl", "website": "", "registration_number": "",
            "country": "NL", **fields}


def test_a_consumer_adds_a_company_and_goes_on_to_file_about_it(as_carol, carol):
    page = as_carol.get(ADD, {"naam": "Fietsenwinkel"}).content.decode()
    assert 'value="Fietsenwinkel"' in page
    response = as_carol.post(ADD, form(website="www.despaak.nl", registration_number="KvK 1234 5678"))
    assert response.status_code == 302 and response["Location"] == "/bedrijven/fietsenwinkel-de-spaak/klacht/"
    added = Organisation.objects.get(slug="fietsenwinkel-de-spaak")
    assert (added.verified, added.connected, added.added_by, added.website, added.search_registry_id) == (
        False, False, carol, "https://www.despaak.nl", "12345678"
    )


def test_likely_duplicates_are_shown_before_a_company_is_added(as_carol):
    company("coolblue", name="Coolblue B.V.", website="https://www.coolblue.nl")
    shown = as_carol.post(ADD, form(name="Coolblue", complaint_email="service@coolblue.example"))
    html = shown.content.decode()
    assert shown.status_code == 200 and "Is it one of these?" in html
    assert 'href="/bedrijven/coolblue/klacht/"' in html
    assert 'value="service@coolblue.example"' in html and 'name="confirmed_new"' in html
    assert Organisation.objects.count() == 1
    by_host = as_carol.post(ADD, form(name="Blauw", website="https://coolblue.nl/contact"))
    assert 'href="/bedrijven/coolblue/klacht/"' in by_host.content.decode()
    added = as_carol.post(ADD, form(name="Coolblue", complaint_email="service@coolblue.example", confirmed_new="1"))
    assert added.status_code == 302 and added["Location"] == "/bedrijven/coolblue-2/klacht/"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"complaint_email": "root@[127.0.0.1]"}, "Enter an e-mail address with a domain name"),
        ({"complaint_email": "root@[IPv6:::1]"}, "Enter"),
        ({"name": "x" * 100_000}, "Ensure this value has at most 200 characters"),
        ({"name": "<>  !!"}, "Give the company&#x27;s name."),
        ({"website": "javascript:alert(1)"}, "Enter a website address"),
        ({"country": "ZZ"}, "Select a valid choice"),
    ],
)
def test_hostile_input_is_refused_with_a_clear_error_and_nothing_is_added(as_carol, fields, problem):
    response = as_carol.post(ADD, form(**fields))
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_company_named_like_a_fixed_path_gets_another_slug(as_carol):
    response = as_carol.post(ADD, form(name="Toevoegen", complaint_email="info@toevoegen.example"))
    assert response["Location"] == "/bedrijven/toevoegen-bedrijf/klacht/"
    assert registry.RESERVED_SLUGS.isdisjoint(Organisation.objects.values_list("slug", flat=True))


def test_html_in_the_name_is_stored_as_typed_and_escaped_when_shown(as_carol):
    as_carol.post(ADD, form(name="<img src=x onerror=alert(1)> Shop", complaint_email="a@shop.example"))
    added = Organisation.objects.get()
    assert added.name == "<img src=x onerror=alert(1)> Shop"
    html = english_client().get(SEARCH, {"q": "shop"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; Shop" in html and "<img src=x" not in html


def test_adds_are_rate_limited_per_account_keeping_what_was_typed(as_carol):
    names = ["Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"][: ratelimit.REGISTRY_ADDS_PER_ACCOUNT.limit]
    for name in names:
        assert as_carol.post(ADD, form(name=name, complaint_email=f"k@{name}.example")).status_code == 302
    limited = as_carol.post(ADD, form(name="Nog Een Winkel", complaint_email="k@nog.example"))
    assert limited.status_code == 429
    html = limited.content.decode()
    assert "Please try again tomorrow" in html and 'value="Nog Een Winkel"' in html
    assert not Organisation.objects.filter(name="Nog Een Winkel").exists()


def test_add_attempts_are_rate_limited_per_client_address(as_carol):
    for _ in range(ratelimit.REGISTRY_ADD_ATTEMPTS_PER_IP.limit):
        ratelimit.REGISTRY_ADD_ATTEMPTS_PER_IP.take("127.0.0.1")
    limited = as_carol.post(ADD, form())
    assert limited.status_code == 429 and 'value="Fietsenwinkel De Spaak"' in limited.content.decode()
    assert not Organisation.objects.exists()


def test_only_consumers_with_an_account_add_companies():
    staff = get_user_model().objects.create_user(username="alice")
    response = english_client(staff).post(ADD, form())
    assert response.status_code == 403 and "Only consumers with an account" in response.content.decode()
    assert not Organisation.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in():
    login = reverse("portal:account_login")
    response = english_client().get(ADD)
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert english_client().post(ADD, form()).status_code == 302
    assert not Organisation.objects.exists()
