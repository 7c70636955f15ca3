"""Fixtures of the desk page tests: a logged-in browser per persona, files to upload, page checks."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from conftest import make_organisation
from gehoord.organisations.models import Membership, Role

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, format="PNG")
    return out.getvalue()


def browser(user) -> Client:
    """A browser logged in as `user`, reading the pages in English (the msgids), whatever the catalogue."""
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def as_alice_browser(alice):
    return browser(alice)


@pytest.fixture
def as_manon_browser(manon):
    return browser(manon)


@pytest.fixture
def as_bert_browser(bert):
    return browser(bert)


@pytest.fixture
def as_oscar_browser(oscar):
    return browser(oscar)


@pytest.fixture
def shop(alice, manon, bert):
    """A web shop on the `webshop-board` procedure (seed 001): a person acknowledges, the order
    number is the reference, and the only escalation stage is the board (3)."""
    organisation = make_organisation("shop", preset="webshop-board", country="GB", time_zone="Europe/London")
    for user, role in ((alice, Role.AGENT), (manon, Role.MANAGER), (bert, Role.BOARD)):
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return organisation


def page_url(complaint, name="desk:complaint", *extra) -> str:
    return reverse(name, args=[complaint.organisation.slug, complaint.reference, *extra])


def action_url(complaint, action) -> str:
    return page_url(complaint, "desk:action", action)


def offered_actions(html: str) -> set[str]:
    return set(re.findall(r'<details class="action[^"]*" id="action-([a-z_]+)"', html)) - {"message", "note"}


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle=", re.IGNORECASE)


def assert_no_inline_code(html: str) -> None:
    """The content security policy allows no inline scripts or styles: the page must not need them."""
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_STYLE.search(html)
    assert "<style" not in html.lower()
