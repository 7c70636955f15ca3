"""The placeholders of reply templates: known names in Dutch or English are filled, nothing else."""

from gehoord.organisations import placeholders

VALUES = {
    placeholders.NAME: "Carol de Vries",
    placeholders.REFERENCE: "KL-2026-00042",
    placeholders.EXPECTED_DATE: "21 december 2026",
    placeholders.HANDLER: "Alice Jansen",
}


def test_dutch_and_english_names_fill_the_same_values():
    text = "Beste {naam}, uw klacht {referentie} ({reference}) behandelt {behandelaar}; antwoord vóór {verwachte_datum}."

    assert placeholders.fill(text, VALUES) == (
        "Beste Carol de Vries, uw klacht KL-2026-00042 (KL-2026-00042) behandelt Alice Jansen; "
        "antwoord vóór 21 december 2026."
    )
    assert placeholders.fill("Dear {Name}, {handler} has {expected_date}", VALUES) == (
        "Dear Carol de Vries, Alice Jansen has 21 december 2026"
    )


def test_unknown_placeholders_and_other_braces_stay_as_typed():
    text = "Hallo {voornaam}, {{naam}} {naam.__class__} { naam } {} {naam}"

    assert placeholders.fill(text, VALUES) == (
        "Hallo {voornaam}, {Carol de Vries} {naam.__class__} { naam } {} Carol de Vries"
    )
    assert placeholders.unknown(text) == ["{voornaam}"]


def test_a_known_placeholder_without_a_value_stays_visible():
    assert placeholders.fill("Antwoord vóór {verwachte_datum}.", {placeholders.NAME: "Carol"}) == (
        "Antwoord vóór {verwachte_datum}."
    )


def test_values_are_inserted_literally_not_read_as_placeholders_or_markup():
    values = {**VALUES, placeholders.NAME: "{referentie} <b>&amp;"}

    assert placeholders.fill("{naam} / {referentie}", values) == "{referentie} <b>&amp; / KL-2026-00042"
