"""Settings page for staff and roles: invite by e-mail address, withdraw an invitation, change roles,
remove; never the last admin. Nothing on it tells whether an address has an account here, or who
works for another organisation."""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import make_staff
from gehoord.mail.models import OutboundMail
from gehoord.organisations import invitations
from gehoord.organisations.models import Category, Invitation, Membership, Role, Team


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


def invite(client, organisation, email="eve@example.nl", roles=(Role.AGENT,)):
    return client.post(url("settings_staff_invite", organisation), {"email": email, "roles": list(roles)})


def test_ada_invites_by_address_and_the_mail_with_its_link_goes_into_the_outbox(as_ada, acme, ada):
    response = invite(as_ada, acme, email=" Eve@Example.NL ", roles=[Role.MANAGER, Role.AGENT])

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.email, invitation.roles) == (acme, "eve@example.nl", ["agent", "manager"])
    assert invitation.invited_by == ada
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    mail = OutboundMail.objects.get(kind="staff_invitation")
    assert mail.to_address == "eve@example.nl" and mail.complaint is None
    [token] = re.findall(r"/desk/acme/invitation/([\w-]+)/", mail.body_text)
    assert invitation.digest == hashlib.sha256(token.encode()).hexdigest() and token not in invitation.digest
    page = as_ada.get(response["Location"]).content.decode()
    assert "Invitation sent to eve@example.nl." in page
    assert token not in page  # the link goes to the invitee only


def test_the_answer_is_the_same_whoever_has_an_account_and_wherever(as_ada, acme, dave, oscar):
    answers = []
    for email in ("dave@example.nl", "oscar@other.example", "nobody-yet@example.nl"):
        response = invite(as_ada, acme, email=email)
        page = as_ada.get(response["Location"]).content.decode()
        told = re.search(r'<ul class="messages".*?</ul>', page, re.S).group(0)
        [row] = re.findall(rf"<tr>\s*<td>{re.escape(email)}</td>.*?</tr>", page, re.S)
        row = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", row.replace(email, "…"))
        answers.append((response.status_code, response["Location"], told.replace(email, "…"), re.sub(r"\d+", "#", row)))
        assert "Oscar" not in page and "Dave" not in page  # names of accounts, here or elsewhere
    assert answers[0] == answers[1] == answers[2]
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "dave@example.nl", "oscar@other.example", "nobody-yet@example.nl"
    }
    assert roles(acme, dave) == set() and roles(acme, oscar) == set()  # nobody joins before accepting


def test_adding_a_user_by_username_or_with_a_password_is_gone(as_ada, acme, dave):
    assert as_ada.post(f"/desk/{acme.slug}/settings/staff/add/", {"existing-username": "dave"}).status_code == 404
    assert as_ada.post(f"/desk/{acme.slug}/settings/staff/create/", {"new-email": "x@example.nl"}).status_code == 404
    page = as_ada.get(url("settings_staff", acme)).content.decode()
    assert "Username" not in page.split("Pending invitations")[1] and 'type="password"' not in page
    assert roles(acme, dave) == set()


def test_someone_already_on_the_staff_is_not_invited(as_ada, acme, alice):
    response = invite(as_ada, acme, email="ALICE@acme.example", roles=[Role.BOARD])
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"] == [
        "Someone on the staff already has this address; change their roles instead."
    ]
    assert not Invitation.objects.exists() and not OutboundMail.objects.exists()


@pytest.mark.parametrize("email", ["not-an-address", "eve@[127.0.0.1]", "e" * 140 + "@example.nl"])
def test_a_bad_address_is_refused_on_its_field_and_nothing_is_sent(as_ada, acme, email):
    response = invite(as_ada, acme, email=email)
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"]
    assert not Invitation.objects.exists() and not OutboundMail.objects.exists()


def test_inviting_needs_a_role(as_ada, acme):
    response = invite(as_ada, acme, roles=[])
    assert response.context["invite_form"].errors["roles"]
    assert not Invitation.objects.exists() and not OutboundMail.objects.exists()


def test_inviting_again_sends_a_new_link_and_withdraws_the_old_one(as_ada, acme):
    invite(as_ada, acme)
    invite(as_ada, acme, roles=[Role.MANAGER])
    first, second = Invitation.objects.order_by("id")
    assert first.revoked_at is not None and second.revoked_at is None and second.roles == ["manager"]
    assert OutboundMail.objects.filter(kind="staff_invitation").count() == 2


def test_ada_sees_the_pending_invitations_and_withdraws_one(as_ada, acme):
    invite(as_ada, acme, email="eve@example.nl", roles=[Role.AGENT, Role.BOARD])
    invite(as_ada, acme, email="frank@example.nl")
    page = as_ada.get(url("settings_staff", acme)).content.decode()
    pending = page.split("Pending invitations")[1]
    assert "eve@example.nl" in pending and "frank@example.nl" in pending and "board member" in pending

    eve = Invitation.objects.get(email="eve@example.nl")
    response = as_ada.post(url("settings_invitation_revoke", acme, eve.pk))
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.revoked_at is not None
    pending = as_ada.get(url("settings_staff", acme)).content.decode().split("Pending invitations")[1]
    assert "eve@example.nl" not in pending and "frank@example.nl" in pending
    assert as_ada.post(url("settings_invitation_revoke", acme, eve.pk)).status_code == 404  # once


def test_another_organisations_invitations_are_neither_shown_nor_withdrawn(as_ada, acme, other):
    olga = make_staff(other, "olga", Role.ADMIN)
    theirs, _token = invitations.invite(other, email="secret-hire@example.nl", roles=[Role.AGENT], by=olga)
    assert "secret-hire" not in as_ada.get(url("settings_staff", acme)).content.decode()
    assert as_ada.post(url("settings_invitation_revoke", acme, theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "oscar"])
def test_only_a_company_admin_invites_or_withdraws(request, acme, ada, persona):
    invitation, _token = invitations.invite(acme, email="eve@example.nl", roles=[Role.AGENT], by=ada)
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert invite(client, acme, email="mallory@example.nl", roles=[Role.ADMIN]).status_code == 404
    assert client.post(url("settings_invitation_revoke", acme, invitation.pk)).status_code == 404
    assert list(Invitation.objects.values_list("email", "revoked_at")) == [("eve@example.nl", None)]


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
