"""Settings page for reply templates: complaint managers and company admins keep them; a
placeholder that is not a known one is refused with its name; other roles and organisations get 404."""

import html
import re

import pytest
from django.urls import reverse

from gehoord.desk.tests.conftest import assert_no_inline_code, browser
from gehoord.organisations.models import ReplyTemplate

GOOD = {
    "name": "Ontvangen",
    "text_nl": "Beste {naam}, we hebben klacht {referentie} ontvangen.",
    "text_en": "Dear {name}, we have received complaint {reference}.",
}


def url(name, organisation, *args):
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


def errors(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<ul class="errorlist"[^>]*><li>(.*?)</li>', page, re.S)]


@pytest.fixture
def theirs(other):
    return ReplyTemplate.objects.create(organisation=other, name="Theirs", text_en="Dear {name}.")


@pytest.mark.parametrize("persona", ["manon", "ada"])
def test_a_manager_or_admin_adds_changes_and_removes_a_template(request, acme, persona):
    client = browser(request.getfixturevalue(persona))

    response = client.post(url("settings_reply_template_new", acme), GOOD, follow=True)

    template = ReplyTemplate.objects.get(organisation=acme)
    assert (template.name, template.text_nl, template.text_en) == (GOOD["name"], GOOD["text_nl"], GOOD["text_en"])
    page = response.content.decode()
    assert "Reply template Ontvangen added." in page
    assert url("settings_reply_template", acme, template.pk) in page
    assert_no_inline_code(page)

    changed = {**GOOD, "name": "Ontvangen (kort)", "text_en": ""}
    client.post(url("settings_reply_template", acme, template.pk), changed)
    template.refresh_from_db()
    assert (template.name, template.text_en) == ("Ontvangen (kort)", "")

    client.post(url("settings_reply_template_remove", acme, template.pk))
    assert not ReplyTemplate.objects.filter(organisation=acme).exists()


def test_an_unknown_placeholder_is_refused_by_name_and_nothing_is_saved(acme, manon):
    client = browser(manon)

    response = client.post(url("settings_reply_template_new", acme), {**GOOD, "text_nl": "Beste {voornaam}, {naam}."})

    assert response.status_code == 200
    assert errors(response.content.decode()) == [
        "Unknown placeholder {voornaam}. Use {naam}, {name}, {referentie}, {reference}, {verwachte_datum}, "
        "{expected_date}, {behandelaar}, {handler}."
    ]
    assert "Beste {voornaam}, {naam}." in html.unescape(response.content.decode())  # what was typed stays
    assert not ReplyTemplate.objects.exists()


def test_a_template_needs_a_name_a_text_and_a_name_of_its_own(acme, manon):
    client = browser(manon)
    ReplyTemplate.objects.create(organisation=acme, name="Ontvangen", text_nl="Al bezet.")

    empty = client.post(url("settings_reply_template_new", acme), {"name": "Leeg", "text_nl": " ", "text_en": ""})
    taken = client.post(url("settings_reply_template_new", acme), GOOD)

    assert errors(empty.content.decode()) == ["Write the text in Dutch, in English or in both."]
    assert errors(taken.content.decode()) == ["There is already a template called Ontvangen."]
    assert list(ReplyTemplate.objects.values_list("text_nl", flat=True)) == ["Al bezet."]


@pytest.mark.parametrize("persona", ["alice", "bert", "oscar"])
def test_agents_board_members_and_outsiders_get_404(request, acme, persona):
    template = ReplyTemplate.objects.create(organisation=acme, name="Ontvangen", text_nl="Beste {naam}.")
    client = browser(request.getfixturevalue(persona))

    assert client.get(url("settings_reply_templates", acme)).status_code == 404
    assert client.post(url("settings_reply_template_new", acme), GOOD).status_code == 404
    assert client.post(url("settings_reply_template", acme, template.pk), GOOD).status_code == 404
    assert client.post(url("settings_reply_template_remove", acme, template.pk)).status_code == 404
    template.refresh_from_db()
    assert template.text_nl == "Beste {naam}."


def test_another_organisations_template_is_not_found(acme, manon, theirs):
    client = browser(manon)

    assert client.get(url("settings_reply_template", acme, theirs.pk)).status_code == 404
    assert client.post(url("settings_reply_template", acme, theirs.pk), GOOD).status_code == 404
    assert client.post(url("settings_reply_template_remove", acme, theirs.pk)).status_code == 404
    assert ReplyTemplate.objects.filter(pk=theirs.pk, name="Theirs").exists()


def test_a_manager_finds_the_templates_in_the_menu_and_only_the_pages_they_may_open(acme, manon):
    page = browser(manon).get(url("settings_reply_templates", acme)).content.decode()

    assert f'href="{url("settings_reply_templates", acme)}"' in page
    assert url("settings_tokens", acme) not in page
    assert url("settings_staff", acme) not in page
    assert "{verwachte_datum}" in page  # the placeholders are explained
