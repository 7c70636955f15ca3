"""Settings page for staff and roles: add, create, change roles, remove; never the last admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import make_staff
from gehoord.organisations.models import Category, Membership, Role, Team


def url(name, organisation, *args):
    return reverse(f"desk:{name}", args=[organisation.slug, *args])


def roles(organisation, user):
    return set(Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True))


@pytest.fixture
def as_ada(ada):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(ada)
    return client


@pytest.fixture
def dave(db):
    """Has a Gehoord login but no role anywhere yet."""
    return get_user_model().objects.create_user(username="dave", email="dave@example.nl", password="secret-pass-123")


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "oscar"])
def test_only_a_company_admin_sees_the_staff(request, acme, ada, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("settings_staff", acme)).status_code == 404
    assert client.get(url("settings_staff_member", acme, ada.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "manon", "oscar"])
def test_non_admins_cannot_change_roles(request, acme, ada, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("settings_staff_member", acme, ada.pk), {"roles": [Role.AGENT]}).status_code == 404
    assert client.post(url("settings_staff_remove", acme, ada.pk)).status_code == 404
    assert roles(acme, ada) == {Role.ADMIN}


def test_the_staff_list_shows_everyone_with_their_roles(as_ada, acme, alice, manon, bert, oscar):
    page = as_ada.get(url("settings_staff", acme)).content.decode()
    for name in ("Ada", "Alice", "Manon", "Bert"):
        assert name in page
    assert "complaint manager" in page and "board member" in page and "company admin" in page
    assert "Oscar" not in page


def test_ada_adds_an_existing_user(as_ada, acme, dave):
    response = as_ada.post(
        url("settings_staff_add", acme), {"existing-username": "dave", "existing-roles": [Role.AGENT, Role.MANAGER]}
    )
    assert response.status_code == 302
    assert roles(acme, dave) == {Role.AGENT, Role.MANAGER}


def test_an_unknown_username_is_refused_on_its_field(as_ada, acme):
    response = as_ada.post(url("settings_staff_add", acme), {"existing-username": "nobody", "existing-roles": [Role.AGENT]})
    assert response.status_code == 200
    assert response.context["add_form"].errors["username"] == ["There is no user with the username nobody."]


def test_someone_already_on_the_staff_is_not_added_twice(as_ada, acme, alice):
    response = as_ada.post(url("settings_staff_add", acme), {"existing-username": "alice", "existing-roles": [Role.BOARD]})
    assert response.context["add_form"].errors["username"]
    assert roles(acme, alice) == {Role.AGENT}


def test_adding_needs_a_role(as_ada, acme, dave):
    response = as_ada.post(url("settings_staff_add", acme), {"existing-username": "dave"})
    assert response.context["add_form"].errors["roles"]
    assert roles(acme, dave) == set()


def test_ada_creates_a_user_with_a_temporary_password(as_ada, acme):
    response = as_ada.post(
        url("settings_staff_create", acme),
        {
            "new-first_name": "Eva",
            "new-last_name": "Jansen",
            "new-email": "Eva@Acme.example",
            "new-username": "",
            "new-password": "tijdelijk-wachtwoord-7",
            "new-roles": [Role.AGENT],
        },
    )
    assert response.status_code == 302
    eva = get_user_model().objects.get(username="eva@acme.example")
    assert (eva.first_name, eva.last_name, eva.email) == ("Eva", "Jansen", "eva@acme.example")
    assert eva.check_password("tijdelijk-wachtwoord-7")
    assert roles(acme, eva) == {Role.AGENT}
    assert Client().login(username="eva@acme.example", password="tijdelijk-wachtwoord-7")


def test_a_weak_password_and_a_bad_address_are_refused_on_their_fields(as_ada, acme):
    response = as_ada.post(
        url("settings_staff_create", acme),
        {"new-first_name": "Eva", "new-email": "not-an-address", "new-password": "123", "new-roles": [Role.AGENT]},
    )
    form = response.context["create_form"]
    assert form.errors["email"] and form.errors["password"]
    assert not get_user_model().objects.filter(first_name="Eva").exists()


def test_a_taken_username_is_refused(as_ada, acme, oscar):
    response = as_ada.post(
        url("settings_staff_create", acme),
        {
            "new-first_name": "Oscar",
            "new-email": "oscar2@example.nl",
            "new-username": "oscar",
            "new-password": "tijdelijk-wachtwoord-7",
            "new-roles": [Role.AGENT],
        },
    )
    assert response.context["create_form"].errors["username"]
    assert roles(acme, oscar) == set()


def test_ada_changes_roles_with_checkboxes(as_ada, acme, alice):
    page = as_ada.get(url("settings_staff_member", acme, alice.pk)).content.decode()
    assert 'type="checkbox" name="roles" value="agent"' in page
    response = as_ada.post(url("settings_staff_member", acme, alice.pk), {"roles": [Role.MANAGER, Role.ADMIN]})
    assert response.status_code == 302
    assert roles(acme, alice) == {Role.MANAGER, Role.ADMIN}


def test_no_roles_at_all_is_refused(as_ada, acme, alice):
    response = as_ada.post(url("settings_staff_member", acme, alice.pk), {})
    assert response.context["form"].errors["roles"]
    assert roles(acme, alice) == {Role.AGENT}


def test_the_last_admin_keeps_the_admin_role(as_ada, acme, ada):
    response = as_ada.post(url("settings_staff_member", acme, ada.pk), {"roles": [Role.MANAGER]})
    assert response.status_code == 200
    [problem] = response.context["form"].errors["roles"]
    assert "last company admin of Acme" in problem
    assert roles(acme, ada) == {Role.ADMIN}


def test_the_last_admin_cannot_be_removed(as_ada, acme, ada):
    response = as_ada.post(url("settings_staff_remove", acme, ada.pk))
    assert response.status_code == 200
    assert "last company admin of Acme" in response.content.decode()
    assert roles(acme, ada) == {Role.ADMIN}


def test_with_a_second_admin_ada_may_step_down(as_ada, acme, ada, manon):
    Membership.objects.create(organisation=acme, user=manon, role=Role.ADMIN)
    response = as_ada.post(url("settings_staff_member", acme, ada.pk), {"roles": [Role.AGENT]})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")
    assert roles(acme, ada) == {Role.AGENT}
    assert as_ada.get(url("settings", acme)).status_code == 404


def test_an_admin_of_another_organisation_does_not_count(as_ada, acme, ada, other):
    make_staff(other, "olga", Role.ADMIN)
    as_ada.post(url("settings_staff_remove", acme, ada.pk))
    assert roles(acme, ada) == {Role.ADMIN}


def test_ada_removes_a_member_from_the_staff_teams_and_routing(as_ada, acme, bert):
    team = Team.objects.create(organisation=acme, name="Board room")
    team.members.add(bert)
    delivery = Category.objects.get(organisation=acme, slug="delivery")
    delivery.route_to_user = bert
    delivery.save()

    response = as_ada.post(url("settings_staff_remove", acme, bert.pk))
    assert response.status_code == 302
    assert roles(acme, bert) == set()
    assert list(team.members.all()) == []
    delivery.refresh_from_db()
    assert delivery.route_to_user is None
    assert get_user_model().objects.filter(pk=bert.pk).exists()


def test_someone_of_another_organisation_is_not_found(as_ada, acme, oscar, other):
    assert as_ada.get(url("settings_staff_member", acme, oscar.pk)).status_code == 404
    assert as_ada.post(url("settings_staff_member", acme, oscar.pk), {"roles": [Role.AGENT]}).status_code == 404
    assert as_ada.post(url("settings_staff_remove", acme, oscar.pk)).status_code == 404
    assert roles(other, oscar) == {Role.AGENT, Role.MANAGER}
    assert roles(acme, oscar) == set()
