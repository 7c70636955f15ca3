"""Settings pages for categories, their form fields and routing, and teams (company admin only)."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint, make_staff
from gehoord.organisations.models import Category, CategoryField, FieldType, Role, Team


def url(name, organisation, *args):
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


@pytest.fixture
def as_ada(ada):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(ada)
    return client


@pytest.fixture
def product(acme):
    return acme.categories.get(slug="product")


@pytest.fixture
def service_team(acme, alice):
    team = Team.objects.create(organisation=acme, name="Service")
    team.members.add(alice)
    return team


def category_data(**overrides):
    data = {"name": "Invoices", "slug": "invoices", "description": "Billing and payment", "position": "3", "active": "on"}
    data.update(overrides)
    return data


def field_data(**overrides):
    data = {
        "label": "Ticket number",
        "key": "ticket_number",
        "field_type": FieldType.SERIAL,
        "required": "on",
        "help_text": "",
        "choices": "",
        "pattern": r"T-\d{6}",
        "position": "1",
    }
    data.update(overrides)
    return data


# --- Who may see the settings ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "oscar"])
@pytest.mark.parametrize(
    "name", ["settings", "settings_categories", "settings_category_new", "settings_teams", "settings_policy"]
)
def test_only_a_company_admin_of_the_organisation_sees_the_settings(request, acme, persona, name):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(name, acme)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(acme):
    response = Client().get(url("settings", acme))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_non_admin_cannot_post_a_category(acme, manon):
    client = Client()
    client.force_login(manon)
    assert client.post(url("settings_category_new", acme), category_data()).status_code == 404
    assert not acme.categories.filter(slug="invoices").exists()


def test_the_index_links_every_settings_page(as_ada, acme):
    response = as_ada.get(url("settings", acme))
    assert response.status_code == 200
    for name in ("settings_categories", "settings_teams", "settings_staff", "settings_tokens", "settings_policy"):
        assert url(name, acme) in response.content.decode()


# --- Categories ------------------------------------------------------------------------------


def test_ada_lists_the_categories(as_ada, acme):
    page = as_ada.get(url("settings_categories", acme)).content.decode()
    assert "Product" in page and "Delivery" in page


def test_ada_adds_a_category_routed_to_a_team_and_a_person(as_ada, acme, service_team, alice):
    response = as_ada.post(
        url("settings_category_new", acme),
        category_data(route_to_team=service_team.pk, route_to_user=alice.pk),
    )
    category = acme.categories.get(slug="invoices")
    assert response.status_code == 302
    assert response["Location"] == url("settings_category", acme, category.pk)
    assert (category.name, category.description, category.position, category.active) == (
        "Invoices",
        "Billing and payment",
        3,
        True,
    )
    assert category.route_to_team == service_team
    assert category.route_to_user == alice

    complaint = carol_complaint(acme, category="invoices")
    assert complaint.team == service_team
    assert complaint.handler == alice


def test_a_taken_slug_is_refused_on_the_slug_field(as_ada, acme):
    response = as_ada.post(url("settings_category_new", acme), category_data(slug="product"))
    assert response.status_code == 200
    assert "Another category already uses the slug product." in response.context["form"].errors["slug"]
    assert acme.categories.filter(name="Invoices").count() == 0


def test_a_slug_with_spaces_is_refused(as_ada, acme):
    response = as_ada.post(url("settings_category_new", acme), category_data(slug="my invoices"))
    assert response.context["form"].errors["slug"]
    assert not acme.categories.filter(name="Invoices").exists()


def test_routing_to_someone_of_another_organisation_is_refused(as_ada, acme, oscar):
    response = as_ada.post(url("settings_category_new", acme), category_data(route_to_user=oscar.pk))
    assert response.context["form"].errors["route_to_user"]
    assert not acme.categories.filter(slug="invoices").exists()


def test_routing_to_a_team_of_another_organisation_is_refused(as_ada, acme, other):
    their_team = Team.objects.create(organisation=other, name="Theirs")
    response = as_ada.post(url("settings_category_new", acme), category_data(route_to_team=their_team.pk))
    assert response.context["form"].errors["route_to_team"]
    assert not acme.categories.filter(slug="invoices").exists()


def test_ada_edits_and_deactivates_a_category(as_ada, acme, product, manon):
    response = as_ada.post(
        url("settings_category", acme, product.pk),
        {"name": "Product defect", "slug": "product-defect", "description": "", "position": "0", "route_to_user": manon.pk},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.slug, product.active, product.route_to_user) == (
        "Product defect",
        "product-defect",
        False,
        manon,
    )


def test_another_organisations_category_is_not_found(as_ada, acme, other):
    theirs = Category.objects.create(organisation=other, slug="theirs", name="Theirs")
    assert as_ada.get(url("settings_category", acme, theirs.pk)).status_code == 404
    assert as_ada.post(url("settings_category", acme, theirs.pk), category_data()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


# --- Fields ----------------------------------------------------------------------------------


def test_the_category_page_lists_its_fields(as_ada, acme, product):
    page = as_ada.get(url("settings_category", acme, product.pk)).content.decode()
    assert "Serial number" in page and "serial_number" in page and r"SN-\d{4}" in page


def test_ada_adds_a_serial_field_with_a_pattern(as_ada, acme, product):
    response = as_ada.post(url("settings_field_new", acme, product.pk), field_data())
    assert response.status_code == 302
    field = product.fields.get(key="ticket_number")
    assert (field.label, field.field_type, field.required, field.pattern) == (
        "Ticket number",
        FieldType.SERIAL,
        True,
        r"T-\d{6}",
    )


def test_ada_adds_a_choice_field_with_one_choice_per_line(as_ada, acme, product):
    as_ada.post(
        url("settings_field_new", acme, product.pk),
        field_data(key="model", label="Inverter model", field_type=FieldType.CHOICE, pattern="", choices="SX-1\r\n\r\nSX-2 \r\nSX-3"),
    )
    assert product.fields.get(key="model").choices == ["SX-1", "SX-2", "SX-3"]


def test_a_pattern_that_is_no_regular_expression_is_refused(as_ada, acme, product):
    response = as_ada.post(url("settings_field_new", acme, product.pk), field_data(pattern="T-(\\d{6}"))
    assert response.status_code == 200
    [problem] = response.context["form"].errors["pattern"]
    assert problem.startswith("This is not a valid regular expression")
    assert "Pattern" in response.content.decode()
    assert not product.fields.filter(key="ticket_number").exists()


def test_a_key_used_twice_in_one_category_is_refused(as_ada, acme, product):
    response = as_ada.post(url("settings_field_new", acme, product.pk), field_data(key="serial_number"))
    assert response.context["form"].errors["key"] == ["This category already has a field with the key serial_number."]
    assert product.fields.count() == 1


def test_the_same_key_in_another_category_is_fine(as_ada, acme):
    delivery = acme.categories.get(slug="delivery")
    as_ada.post(url("settings_field_new", acme, delivery.pk), field_data(key="serial_number", pattern=""))
    assert delivery.fields.filter(key="serial_number").exists()


def test_a_choice_field_without_choices_is_refused(as_ada, acme, product):
    response = as_ada.post(
        url("settings_field_new", acme, product.pk), field_data(field_type=FieldType.CHOICE, pattern="")
    )
    assert response.context["form"].errors["choices"]
    assert not product.fields.filter(key="ticket_number").exists()


def test_a_pattern_on_a_date_field_is_refused(as_ada, acme, product):
    response = as_ada.post(url("settings_field_new", acme, product.pk), field_data(field_type=FieldType.DATE))
    assert response.context["form"].errors["pattern"]


def test_ada_edits_a_field_and_complaints_are_checked_by_it(as_ada, acme, product):
    serial = product.fields.get()
    response = as_ada.post(
        url("settings_field", acme, product.pk, serial.pk),
        field_data(key="serial_number", label="Serial", pattern=r"SN-\d{6}", required=""),
    )
    assert response.status_code == 302
    serial.refresh_from_db()
    assert (serial.label, serial.pattern, serial.required) == ("Serial", r"SN-\d{6}", False)


def test_ada_removes_a_field(as_ada, acme, product):
    serial = product.fields.get()
    response = as_ada.post(url("settings_field_remove", acme, product.pk, serial.pk))
    assert response.status_code == 302
    assert not CategoryField.objects.filter(pk=serial.pk).exists()


def test_removing_needs_a_post(as_ada, acme, product):
    serial = product.fields.get()
    assert as_ada.get(url("settings_field_remove", acme, product.pk, serial.pk)).status_code == 405
    assert CategoryField.objects.filter(pk=serial.pk).exists()


def test_a_field_is_only_found_under_its_own_category(as_ada, acme, product):
    delivery = acme.categories.get(slug="delivery")
    serial = product.fields.get()
    assert as_ada.post(url("settings_field_remove", acme, delivery.pk, serial.pk)).status_code == 404
    assert CategoryField.objects.filter(pk=serial.pk).exists()


# --- Teams -----------------------------------------------------------------------------------


def test_ada_creates_a_team_with_members(as_ada, acme, alice, manon):
    response = as_ada.post(url("settings_teams", acme), {"name": "Technical", "members": [alice.pk, manon.pk]})
    assert response.status_code == 302
    team = acme.teams.get(name="Technical")
    assert set(team.members.all()) == {alice, manon}
    assert "Technical" in as_ada.get(url("settings_teams", acme)).content.decode()


def test_ada_changes_the_members_of_a_team(as_ada, acme, service_team, alice, manon):
    as_ada.post(url("settings_team", acme, service_team.pk), {"name": "Service desk", "members": [manon.pk]})
    service_team.refresh_from_db()
    assert service_team.name == "Service desk"
    assert list(service_team.members.all()) == [manon]


def test_a_team_member_must_be_staff_here(as_ada, acme, oscar):
    response = as_ada.post(url("settings_teams", acme), {"name": "Technical", "members": [oscar.pk]})
    assert response.context["form"].errors["members"]
    assert not acme.teams.filter(name="Technical").exists()


def test_two_teams_cannot_share_a_name(as_ada, acme, service_team):
    response = as_ada.post(url("settings_teams", acme), {"name": "Service"})
    assert response.context["form"].errors["name"] == ["There is already a team called Service."]
    assert acme.teams.count() == 1


def test_the_routing_choices_hold_only_this_organisations_people(as_ada, acme, alice, oscar):
    make_staff(acme, "agnes", Role.AGENT, first_name="Agnes")
    page = as_ada.get(url("settings_category_new", acme)).content.decode()
    assert "Agnes (agnes)" in page and "Alice (alice)" in page
    assert "oscar" not in page.lower()


@pytest.mark.parametrize(
    "pattern, rule",
    [
        (r"(a+)+$", "A repeated group may not hold a repetition of varying length"),
        (r"(a*)*", "A repeated group may not hold a repetition of varying length"),
        (r"(.*a){12}", "A repeated group may not hold a repetition of varying length"),
        (r"(a|aa)+", "A repeated group may not hold alternatives"),
    ],
)
def test_a_pattern_that_can_backtrack_for_hours_is_refused_on_its_field(as_ada, acme, product, pattern, rule):
    response = as_ada.post(url("settings_field_new", acme, product.pk), field_data(pattern=pattern))
    assert response.status_code == 200
    [problem] = response.context["form"].errors["pattern"]
    assert problem.startswith(rule)
    assert not product.fields.filter(key="ticket_number").exists()


# --- A name per language ---------------------------------------------------------------------


def test_a_category_has_a_name_per_language_and_each_reader_sees_their_own(as_ada, acme):
    as_ada.post(url("settings_category_new", acme), category_data(name="Facturen", name_en="Invoices"))

    category = acme.categories.get(slug="invoices")
    assert (category.name, category.name_en) == ("Facturen", "Invoices")
    form_page = {lang: Client(headers={"Accept-Language": lang}).get("/o/acme/klacht/").content.decode() for lang in ("nl", "en")}
    assert '<option value="invoices">Facturen</option>' in form_page["nl"]
    assert '<option value="invoices">Invoices</option>' in form_page["en"]


def test_one_name_is_enough_and_none_is_refused(as_ada, acme):
    as_ada.post(url("settings_category_new", acme), category_data(name="", name_en="Invoices"))
    assert acme.categories.get(slug="invoices").local_name == "Invoices"

    response = as_ada.post(url("settings_category_new", acme), category_data(name="", name_en="", slug="nameless"))
    assert response.status_code == 200
    assert "Give the category a name." in response.content.decode()
    assert not acme.categories.filter(slug="nameless").exists()
