"""Every consumer page: no inline script or style (the content security policy), usable in both languages,
and the forms of the shipped demo organisations render."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint
from gehoord.server import demo
from gehoord.organisations.models import Organisation
from gehoord.portal.tests.conftest import inline_scripts, inline_styles

pytestmark = pytest.mark.django_db


def consumer_pages(client, complaint) -> dict[str, str]:
    client.post(reverse("portal:track"), {"reference": complaint.reference, "email": complaint.contact_email})
    session = client.session
    session["gehoord.portal.filed"] = complaint.public_id
    session.save()
    org = complaint.organisation.slug
    urls = {
        "home": reverse("portal:home"),
        "form": reverse("portal:complaint_form", kwargs={"org": org}),
        "confirmation": reverse("portal:confirmation", kwargs={"org": org}),
        "track": reverse("portal:track"),
        "tracking": reverse("portal:tracking", args=[complaint.public_id]),
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_page_has_an_inline_script_or_style(acme, language):
    client = Client(headers={"accept-language": language})
    for name, html in consumer_pages(client, carol_complaint(acme)).items():
        assert f'<html lang="{language}">' in html, name
        assert inline_scripts(html) == [], name
        assert inline_styles(html) == [], name
        assert '<meta name="viewport"' in html, name


def test_every_page_sends_the_content_security_policy(client, acme):
    page = client.get(reverse("portal:complaint_form", kwargs={"org": "acme"}))
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_the_forms_of_the_demo_organisations_render_with_their_category_fields(client, monkeypatch):
    monkeypatch.setattr(demo, "_complaints", lambda *args: None)  # the organisations only, not their samples
    demo.load()
    for organisation in Organisation.objects.all():
        url = reverse("portal:complaint_form", kwargs={"org": organisation.slug})
        assert client.get(url).status_code == 200, organisation.slug
        for category in organisation.categories.all():
            html = client.get(url, {"category": category.slug}).content.decode()
            for field in category.fields.all():
                assert f'name="field_{field.key}"' in html, (organisation.slug, category.slug, field.key)
    inverter = client.get(reverse("portal:complaint_form", kwargs={"org": "inverter"}), {"category": "product"})
    assert "Model omvormer" in inverter.content.decode()
    board = client.get(reverse("portal:complaint_form", kwargs={"org": "webshop-board"})).content.decode()
    assert "Your order number is the reference of your complaint" in board


def test_the_partial_for_an_unknown_category_is_empty(client, acme):
    url = reverse("portal:category_fields", kwargs={"org": "acme"})
    page = client.get(url, {"category": "nope"}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and page.content.decode().strip() == ""
