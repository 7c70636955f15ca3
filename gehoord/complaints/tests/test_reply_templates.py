"""A reply template filled in for one complaint: the consumer's language, the complaint's values."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation

from conftest import carol_complaint
from gehoord.complaints import actions, reply_templates
from gehoord.organisations.models import ReplyTemplate
from gehoord.policies import deadlines

TEXTS = {
    "text_nl": "Beste {naam}, we behandelen klacht {referentie}. {behandelaar} antwoordt vóór {verwachte_datum}. {onbekend}",
    "text_en": "Dear {name}, we are handling complaint {reference}. {handler} answers by {expected_date}.",
}


@pytest.fixture
def template(acme):
    return ReplyTemplate.objects.create(organisation=acme, name="Ontvangen", **TEXTS)


def _date(value, language: str, zone: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(value, ZoneInfo(zone)), "DATE_FORMAT")


def test_a_dutch_consumer_gets_the_dutch_text_with_the_complaints_values(acme, template, alice, as_manon):
    complaint = carol_complaint(acme)  # vxhome acknowledges on receipt, so an answer date is known
    actions.assign(complaint, by=as_manon, handler=alice)
    complaint.refresh_from_db()
    expected = deadlines.expected_answer_at(complaint)
    assert expected is not None

    text = reply_templates.filled(template, complaint)

    assert text == (
        f"Beste Carol de Vries, we behandelen klacht {complaint.reference}. Alice antwoordt vóór "
        f"{_date(expected, 'nl', acme.time_zone)}. {{onbekend}}"
    )


def test_an_english_consumer_gets_the_english_text_and_general_wording_without_a_handler(acme, template):
    complaint = carol_complaint(acme, contact_name="Emma Brown", contact_language="en")

    text = reply_templates.filled(template, complaint)

    expected = _date(deadlines.expected_answer_at(complaint), "en", acme.time_zone)
    assert text == f"Dear Emma Brown, we are handling complaint {complaint.reference}. our customer service answers by {expected}."


def test_a_template_with_one_language_serves_both(acme):
    complaint = carol_complaint(acme, contact_language="en")
    only_dutch = ReplyTemplate.objects.create(organisation=acme, name="Alleen NL", text_nl="Beste {naam}.")

    assert reply_templates.filled(only_dutch, complaint) == "Beste Carol de Vries."


def test_without_a_running_answer_deadline_the_expected_date_stays_a_visible_placeholder(acme, as_alice):
    complaint = actions.withdraw(carol_complaint(acme), by=as_alice, reason="Opgelost via de telefoon")
    template = ReplyTemplate.objects.create(organisation=acme, name="Datum", text_nl="Vóór {verwachte_datum}, {naam}.")

    assert reply_templates.filled(template, complaint) == "Vóór {verwachte_datum}, Carol de Vries."


def test_another_organisations_template_is_never_filled_in(acme, other, template):
    complaint = carol_complaint(other)

    with pytest.raises(ValueError):
        reply_templates.filled(template, complaint)
