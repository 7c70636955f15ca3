"""Stripping quoted history from replies: what the author wrote stays, the old mail goes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gehoord.mail.quotes import strip_quoted

ANSWER = "De bank is nog steeds niet bezorgd.\n\nGroet,\nCarol"
QUOTE = "> Beste mevrouw Jansen,\n>\n> Wanneer is de bank bezorgd?\n>\n> VXhome klachtendesk"


@pytest.mark.parametrize(
    "attribution",
    [
        # Gmail, Dutch, on one line and wrapped before the address
        "Op ma 5 jan 2026 om 10:00 schreef VXhome klachtendesk <reply+abc@gehoord.example>:",
        "Op ma 5 jan 2026 om 10:00 schreef VXhome klachtendesk <\nreply+abc@gehoord.example>:",
        # Gmail, English, wrapped before "wrote:" and before the address
        "On Mon, 5 Jan 2026 at 10:00, VXhome complaints desk <reply+abc@gehoord.example> wrote:",
        "On Mon, Jan 5, 2026 at 10:00 AM VXhome complaints desk <reply+abc@gehoord.example>\nwrote:",
        "On Mon, 5 Jan 2026 at 10:00, VXhome complaints desk <\nreply+abc@gehoord.example> wrote:",
        # Apple Mail
        "On 5 Jan 2026, at 10:00, VXhome complaints desk <reply+abc@gehoord.example> wrote:",
        "Op 5 jan 2026 om 10:00 heeft VXhome klachtendesk <reply+abc@gehoord.example> het volgende geschreven:",
        # Thunderbird
        "On 05-01-2026 10:00, VXhome complaints desk wrote:",
        "Op 05-01-2026 om 10:00 schreef VXhome klachtendesk:",
        # French and German clients (Belgian and German customers)
        "Le lun. 5 janv. 2026 à 10:00, VXhome <reply+abc@gehoord.example> a écrit :",
        "Am 05.01.2026 um 10:00 schrieb VXhome klachtendesk:",
    ],
)
def test_attribution_and_quote_are_removed(attribution):
    assert strip_quoted(f"{ANSWER}\n\n{attribution}\n\n{QUOTE}\n") == ANSWER


def test_attribution_followed_by_unquoted_history_is_cut():
    text = f"{ANSWER}\n\nOp 5 jan 2026 om 10:00 schreef VXhome <reply+abc@gehoord.example>:\n\nBeste mevrouw Jansen,\nWanneer?"
    assert strip_quoted(text) == ANSWER


@pytest.mark.parametrize(
    "header",
    [
        "From: VXhome <reply+abc@gehoord.example>\nSent: Monday, 5 January 2026 10:00\nTo: Carol\nSubject: [KL-26-7QF3MX] Uw klacht",
        "Van: VXhome <reply+abc@gehoord.example>\nVerzonden: maandag 5 januari 2026 10:00\nAan: Carol\nOnderwerp: [KL-26-7QF3MX] Uw klacht",
        "________________________________\nVan: VXhome <reply+abc@gehoord.example>\nVerzonden: maandag 5 januari 2026 10:00\nAan: Carol\nOnderwerp: Uw klacht",
        "*From:* VXhome <reply+abc@gehoord.example>\n*Sent:* Monday, 5 January 2026 10:00\n*To:* Carol\n*Subject:* Uw klacht",
        "From: VXhome Sent: Monday, 5 January 2026 10:00 To: Carol Subject: Uw klacht",
        "-----Original Message-----\nFrom: VXhome [mailto:reply+abc@gehoord.example]\nSent: 5 January 2026 10:00",
        "-----Oorspronkelijk bericht-----\nVan: VXhome\nVerzonden: maandag 5 januari 2026 10:00",
        "----- Oorspronkelijk bericht -----\nVan: VXhome",
    ],
)
def test_outlook_headers_and_separators_cut_the_history(header):
    text = f"{ANSWER}\n\n{header}\n\nBeste mevrouw Jansen,\n\nWanneer is de bank bezorgd?\n"
    assert strip_quoted(text) == ANSWER


def test_outlook_separator_line_goes_with_the_header_block():
    text = f"{ANSWER}\n\n________________________________\nFrom: VXhome\nSent: Monday\nTo: Carol\nSubject: x\n\nold"
    assert "____" not in strip_quoted(text)


def test_a_lone_separator_line_is_kept():
    text = "Zie mijn handtekening.\n\n______________________________\nCarol Jansen | Lindenlaan 4"
    assert strip_quoted(text) == text


@pytest.mark.parametrize(
    "marker",
    [
        "---------- Forwarded message ---------",
        "---------- Doorgestuurd bericht ---------",
        "Begin forwarded message:",
        "Begin doorgestuurd bericht:",
        "-------- Forwarded Message --------",
    ],
)
def test_forwarded_content_is_not_a_quote(marker):
    forwarded = (
        f"{marker}\nFrom: VXhome Retouren <retouren@vxhome.example>\nDate: Thu, Jan 15, 2026\n"
        "Subject: Uw retour is afgewezen\nTo: <carol@example.nl>\n\nWij kunnen uw retour niet accepteren."
    )
    text = f"Zie hieronder het bericht van de winkel.\n\n{forwarded}"
    assert strip_quoted(text) == text


def test_forward_quoted_with_angle_brackets_is_kept():
    text = "Ter informatie.\n\n> Begin doorgestuurd bericht:\n>\n> Van: Planning\n> Afspraak geannuleerd."
    assert strip_quoted(text) == text


def test_forwarded_flag_keeps_an_outlook_style_forward():
    text = "Hierbij de afwijzing.\n\n________________________________\nVan: Fabrikant\nVerzonden: zaterdag\nAan: Fatima\nOnderwerp: Afgewezen\n\nUw claim is afgewezen."
    assert strip_quoted(text, forwarded=True) == text
    assert strip_quoted(text) == "Hierbij de afwijzing."


def test_inline_answers_between_quoted_lines_are_kept():
    text = (
        "Mijn antwoorden staan tussen uw vragen.\n\n"
        "Op 14-01-2026 om 11:02 schreef VXhome klachtendesk:\n"
        "> Wat is het serienummer?\n\nSN 4471\n\n> Lekt het apparaat nog?\n\nJa, elke keer.\n\n"
        "> Met vriendelijke groet,\n> VXhome"
    )
    visible = strip_quoted(text)
    assert "SN 4471" in visible
    assert "Ja, elke keer." in visible
    assert "> Lekt het apparaat nog?" in visible  # the question gives the answer its meaning
    assert "Met vriendelijke groet" not in visible


def test_a_bottom_posted_answer_is_kept():
    text = "On 05-01-2026 10:00, VXhome complaints desk wrote:\n> When was it delivered?\n\nOn Friday 2 January."
    assert strip_quoted(text) == text


def test_a_device_signature_below_the_quote_does_not_keep_the_quote():
    text = f"{ANSWER}\n\nOn Mon, 5 Jan 2026 at 10:00, VXhome <a@b.example> wrote:\n{QUOTE}\n\nSent from my iPad"
    assert strip_quoted(text) == ANSWER


def test_trailing_quote_without_attribution_is_removed():
    assert strip_quoted(f"{ANSWER}\n\n{QUOTE}\n\n") == ANSWER


def test_ios_quoted_attribution_and_device_signature_are_removed():
    text = (
        "Nee, niet bij de buren.\n\nVerstuurd vanaf mijn iPhone\n\n"
        "> Op 11 jan 2026 om 17:20 heeft VXhome <reply+abc@gehoord.example> het volgende geschreven:\n>\n> Vraag?"
    )
    assert strip_quoted(text) == "Nee, niet bij de buren."


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "Verzonden vanaf mijn iPhone",
        "Verstuurd vanaf mijn iPad",
        "Verzonden vanaf mijn Samsung Galaxy-smartphone.",
        "Get Outlook for Android<https://aka.ms/ghei36>",
        "Envoyé de mon iPhone",
    ],
)
def test_trailing_device_signature_is_removed(signature):
    assert strip_quoted(f"{ANSWER}\n\n{signature}\n") == ANSWER


def test_device_signature_alone_is_kept():
    assert strip_quoted("Sent from my iPhone") == "Sent from my iPhone"


def test_device_signature_inside_the_text_is_kept():
    text = "Sent from my iPhone is what my mails say.\nBut this one is long."
    assert strip_quoted(text) == text


def test_a_message_that_is_all_quote_is_returned_whole():
    text = "Op 5 jan 2026 om 10:00 schreef VXhome <reply+abc@gehoord.example>:\n> Wanneer is de bank bezorgd?"
    assert strip_quoted(text) == text
    assert strip_quoted(QUOTE) == QUOTE


@pytest.mark.parametrize(
    "own_words",
    [
        "Op 3 januari schreef de winkel:\nWij leveren binnen twee weken.\n\nDat is niet gebeurd.",
        "On the phone your colleague wrote:\nWe will call you back.\n\nNobody called.",
        "Van: Carol Jansen\nAan de klachtendesk van VXhome\n\nIk wil een nieuwe bank.",
    ],
)
def test_the_authors_own_words_are_not_taken_for_a_quote_header(own_words):
    text = f"Goedemiddag,\n\n{own_words}\n\nCarol"
    assert strip_quoted(text) == text


def test_windows_line_endings():
    text = f"{ANSWER}\n\nOp 5 jan 2026 om 10:00 schreef VXhome <a@b.example>:\n{QUOTE}".replace("\n", "\r\n")
    assert strip_quoted(text) == ANSWER


def test_text_without_quotes_is_unchanged_apart_from_trailing_blank_lines():
    assert strip_quoted(ANSWER + "\n\n\n") == ANSWER


@given(st.text(alphabet=st.sampled_from("ab >:\n-_@0123456789OpnSchreefwrote"), max_size=400))
def test_stripping_never_loses_everything_and_only_cuts_from_the_end(text):
    result = strip_quoted(text)
    if text.strip():
        assert result.strip()
    assert result == text or text.replace("\r\n", "\n").lstrip("\n").startswith(result)
