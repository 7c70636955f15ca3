"""Fixtures of the consumer pages: organisations like the four seeds, a real photo, and helpers."""

import io
import re

import pytest
from PIL import Image

from conftest import make_organisation
from gehoord.organisations.models import Category, CategoryField, FieldType


def png_bytes(size=(40, 30), colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def vxhome(db):
    """Seed 000: a web shop, acknowledged on receipt, 14 days to answer, external bodies after stage 2."""
    organisation = make_organisation("vxhome", preset="vxhome", name="VXhome")
    Category.objects.create(organisation=organisation, slug="levering", name="Levering", position=0)
    Category.objects.create(organisation=organisation, slug="product", name="Product", position=1)
    return organisation


@pytest.fixture
def webshop_board(db):
    """Seed 001: the order number is the reference; a person acknowledges."""
    organisation = make_organisation(
        "webshop-board", preset="webshop-board", name="Brightside Outdoor", country="GB", time_zone="Europe/London",
        language="en",
    )
    Category.objects.create(organisation=organisation, slug="delivery", name="Delivery")
    return organisation


@pytest.fixture
def welzo(db):
    return make_organisation("welzo", preset="welzo", name="Welzo", country="GB", time_zone="Europe/London")


@pytest.fixture
def inverter(db):
    """Seed 003: service asks a ticket and a serial number; product asks the model and (maybe) a serial number."""
    organisation = make_organisation("inverter", preset="inverter", name="SolarWave")
    service = Category.objects.create(organisation=organisation, slug="service", name="Service", position=0)
    product = Category.objects.create(organisation=organisation, slug="product", name="Product", position=1)
    serial = dict(pattern=r"[A-Z0-9-]{6,20}", help_text="On the type plate, e.g. SW36-2201-0042")
    CategoryField.objects.create(
        category=service, key="ticket_number", label="Ticket number", field_type=FieldType.SERIAL,
        required=True, pattern=r"T-?\d{4,8}", help_text="E.g. T-104233", position=0,
    )
    CategoryField.objects.create(
        category=service, key="serial_number", label="Serial number", field_type=FieldType.SERIAL,
        required=True, position=1, **serial,
    )
    CategoryField.objects.create(
        category=product, key="inverter_model", label="Inverter model", field_type=FieldType.CHOICE,
        required=True, choices=["SW-3600 TL", "SW-5000 TL"], position=0,
    )
    CategoryField.objects.create(
        category=product, key="serial_number", label="Serial number (if available)", field_type=FieldType.SERIAL,
        required=False, position=1, **serial,
    )
    return organisation


def inline_scripts(html: str) -> list[str]:
    """Every <script> element without a src attribute (the content security policy forbids them)."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I) if "src=" not in tag]


def inline_styles(html: str) -> list[str]:
    return re.findall(r"<[^>]+\sstyle=", html, flags=re.I) + re.findall(r"<style\b", html, flags=re.I)


@pytest.fixture
def client(db):
    """A browser that asks for English pages, so assertions read the English messages."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
