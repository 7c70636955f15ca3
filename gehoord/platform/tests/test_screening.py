"""The automatic screening (issue 13): insults, discrimination, threats and personal data are
flagged with their reasons and a score; strong but acceptable complaint language is not."""

import pytest

from gehoord.platform.screening import DISCRIMINATION, INSULT, PERSONAL_DATA, THREAT, screen


@pytest.mark.parametrize(
    "text",
    [
        "De service is waardeloos en dit is schandalig.",
        "Dit is oplichting: ik heb betaald en nooit iets ontvangen.",
        "This is fraud and a disgrace.",
        "Mijn moeder heeft kanker en jullie weigeren haar reis te annuleren.",
        "Dit product is kankerverwekkend volgens de verpakking.",
        "These shoes are killing my feet.",
        "Ik schrok me dood van de rekening.",
        "Ik ga naar de rechter als dit niet wordt opgelost.",
        "De winkel weigert mensen met een hoofddoek, dat is discriminatie.",
        "Ik zag een rat in de keuken van het restaurant.",
        "",
    ],
)
def test_clean_complaints_with_strong_language_are_not_flagged(text):
    finding = screen(text)
    assert not finding.flagged, finding.reasons
    assert finding.score == 0


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Jullie zijn een stelletje idioten.", "idioten"),  # the lemma "idioot" is on the list
        ("Wat een kankerbedrijf.", "kankerbedrijf"),  # a curse glued to the front
        ("Oplichtersbende, dat zijn jullie.", "oplichtersbende"),
        ("Die tyfuslijer hing gewoon op.", "tyfuslijer"),
        ("Wat een hufterige manier van doen.", "hufterige"),  # an inflected adjective
        ("Your staff are morons.", "morons"),
        ("Rot op met jullie excuses.", "rot op"),
    ],
)
def test_insults_are_flagged_with_the_word_found(text, word):
    finding = screen(text)
    assert finding.classes == {INSULT}
    assert word in finding.reasons[INSULT]


def test_a_quote_of_what_an_employee_said_is_still_flagged_for_a_moderator_to_judge():
    finding = screen("De medewerker noemde mij een 'idioot' toen ik mijn geld terugvroeg.")
    assert finding.flagged and finding.classes == {INSULT}


def test_a_product_name_that_looks_like_an_insult_is_read_as_a_name():
    assert not screen("Het boek De Idioot van Dostojevski had ontbrekende pagina's.").flagged
    assert screen("Die idioot van de bezorger.").flagged


@pytest.mark.parametrize(
    "text",
    [
        "Zet die negers eruit.",
        "Wat een stel kutmarokkanen.",
        "Buitenlanders eruit, dan wordt de service beter.",
        "Moslims zijn allemaal terroristen.",
        "Send those immigrants back where they came from.",
        "Women should not be managers.",
    ],
)
def test_slurs_and_generalisations_about_a_group_are_discrimination(text):
    assert DISCRIMINATION in screen(text).classes


@pytest.mark.parametrize(
    "text",
    [
        "Ik weet waar je woont.",
        "Ik steek de winkel in de fik.",
        "Ik kom langs met een honkbalknuppel.",
        "I will burn your store down.",
        "I'll kill the manager.",
        "Watch your back when you leave work tonight.",
    ],
)
def test_threats_are_flagged(text):
    assert THREAT in screen(text).classes


@pytest.mark.parametrize(
    "text",
    ["Ik ga die bezorger morgen in elkaar slaan.", "I am going to punch that cashier.", "Ik ram die auto van de directeur."],
)
def test_violence_the_writer_announces_is_a_threat(text):
    assert THREAT in screen(text).classes


@pytest.mark.parametrize(
    "text",
    [
        "De portier sloeg mijn vriend, we hebben aangifte gedaan.",  # a report of what happened
        "I was hit by your delivery van.",
        "Ik sla alarm bij de Autoriteit Persoonsgegevens.",
        "That price is killing me.",
    ],
)
def test_reports_of_violence_and_figures_of_speech_are_no_threat(text):
    assert THREAT not in screen(text).classes


def test_a_threat_outweighs_an_insult_in_the_score():
    assert screen("Ik weet waar je woont.").score > screen("Wat een idioot.").score > 0
    assert screen("Ik vermoord jullie, vuile klootzakken.").score == 1.0


def test_personal_data_is_a_reason_by_its_kind_and_the_data_is_not_repeated():
    finding = screen("Bel mij op 06-12345678 of mail jan@example.nl.\nMet vriendelijke groet,\nJan Jansen")
    assert finding.classes == {PERSONAL_DATA}
    assert set(finding.reasons[PERSONAL_DATA]) == {"email", "name", "phone"}
    stored = finding.as_json()
    assert stored["flagged"] is True and 0 < stored["score"] <= 1
    assert "06-12345678" not in str(stored) and "jan@example.nl" not in str(stored) and "Jansen" not in str(stored)
    assert {"class": PERSONAL_DATA, "found": "phone"} in stored["reasons"]


def test_the_companys_own_name_under_a_closing_is_no_personal_data():
    text = "Wij sturen een nieuw brood.\nMet vriendelijke groet,\nBakkerij Brood"
    assert not screen(text, keep=("Bakkerij Brood",)).flagged
    assert screen(text).classes == {PERSONAL_DATA}
