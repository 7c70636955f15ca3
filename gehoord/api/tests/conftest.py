"""Fixtures of the API tests: a JSON client per bearer token, and real files to upload."""

import base64
import io
import json

import pytest
from django.test import Client
from PIL import Image

from conftest import make_organisation
from gehoord.organisations.models import ApiToken


class ApiClient:
    """Speaks to /api/v1/ as one integration: every request carries its bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}
        return {**sent, **(headers or {})}

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api/v1{path}", data=params or {}, headers=self._headers(headers))

    def post(self, path: str, body=None, *, raw: bytes | str | None = None, headers: dict | None = None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(
            f"/api/v1{path}", data=data, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def acme_api(acme_token) -> ApiClient:
    return ApiClient(acme_token)


@pytest.fixture
def other_api(other_token) -> ApiClient:
    return ApiClient(other_token)


@pytest.fixture
def shop(db):
    """An organisation on the webshop-board preset: the order number is the reference."""
    return make_organisation("shop", preset="webshop-board")


@pytest.fixture
def shop_api(shop) -> ApiClient:
    _token, plaintext = ApiToken.issue(shop, "shop integration")
    return ApiClient(plaintext)


def png_bytes(colour=(200, 30, 30), size=(4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def carol_payload(**overrides) -> dict:
    """What an integration sends for Carol's complaint about her delivery at Acme."""
    body = {
        "description": "De boxspring kwam beschadigd aan.",
        "contact_name": "Carol de Vries",
        "contact_email": "carol@example.nl",
        "category": "delivery",
    }
    body.update(overrides)
    return body
