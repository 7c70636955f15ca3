"""`gehoord create-token ORG_SLUG` and `gehoord revoke-token TOKEN_OR_PREFIX`.

The token is printed once, alone on its line, so that a script can capture it; we keep only its
SHA-256 (and a short prefix to tell tokens apart), so a leaked database leaks no working token.
"""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command, get_commands
from django.forms.models import model_to_dict

from gehoord.organisations.models import ApiToken
from gehoord.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def create_token(*args) -> str:
    out = io.StringIO()
    call_command("create-token", *args, stdout=out)
    return out.getvalue()


def revoke_token(token_or_prefix: str) -> str:
    out = io.StringIO()
    call_command("revoke-token", token_or_prefix, stdout=out)
    return out.getvalue()


def test_create_token_prints_only_the_token(acme):
    printed = create_token("acme")

    lines = printed.splitlines()
    assert len(lines) == 1
    [token] = lines
    assert token.startswith("ghd_")
    assert len(token) >= 40 and token.strip() == token
    assert printed == token + "\n"


def test_the_printed_token_works_as_a_bearer_for_its_organisation(acme, other):
    token = create_token("acme").strip()

    response = ApiClient(token).get("/categories")

    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == ["delivery", "product"]
    stored = ApiToken.objects.get()
    assert stored.organisation == acme
    assert stored.name == "cli"
    assert stored.last_used_at is not None


def test_a_token_can_be_named(acme):
    create_token("acme", "--name", "webshop koppeling")

    assert ApiToken.objects.get().name == "webshop koppeling"


def test_an_unknown_organisation_is_a_command_error(acme):
    with pytest.raises(CommandError, match="nosuchorg"):
        create_token("nosuchorg")

    assert not ApiToken.objects.exists()


def test_only_the_sha256_of_the_token_is_stored(acme):
    token = create_token("acme").strip()

    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix) and len(stored.prefix) < len(token) - 30
    for value in model_to_dict(stored).values():
        assert token not in str(value)


def test_each_token_is_new(acme):
    tokens = {create_token("acme").strip() for _ in range(3)}

    assert len(tokens) == 3
    assert ApiToken.objects.count() == 3


def test_revoking_by_prefix_makes_the_token_a_401(acme):
    token = create_token("acme").strip()
    api = ApiClient(token)
    assert api.get("/complaints").status_code == 200

    printed = revoke_token(token[:12])

    assert "Revoked" in printed
    response = api.get("/complaints")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert ApiToken.objects.get().revoked_at is not None


def test_revoking_by_the_whole_token_works_too(acme):
    token = create_token("acme").strip()

    revoke_token(token)

    assert ApiClient(token).get("/complaints").status_code == 401


def test_revoking_one_token_leaves_the_others_working(acme, acme_token):
    revoked = create_token("acme").strip()

    revoke_token(revoked[:12])

    assert ApiClient(revoked).get("/categories").status_code == 401
    assert ApiClient(acme_token).get("/categories").status_code == 200


@pytest.mark.parametrize("given", ["ghd_nothing", "", "ghd_"])
def test_revoking_an_unknown_token_is_a_command_error(acme, acme_token, given):
    with pytest.raises(CommandError):
        revoke_token(given)

    assert ApiToken.objects.active().count() == 1


def test_a_revoked_token_cannot_be_revoked_again(acme):
    token = create_token("acme").strip()
    revoke_token(token[:12])

    with pytest.raises(CommandError):
        revoke_token(token[:12])


def test_the_commands_exist_under_the_gehoord_program():
    assert get_commands()["create-token"] == "gehoord.api"
    assert get_commands()["revoke-token"] == "gehoord.api"
