"""Finding our reference, other helpdesks' ticket tags and the plus-address token again."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gehoord.mail.tags import (
    find_bare_references,
    find_bracket_tokens,
    find_foreign_ticket_tags,
    find_plus_tokens,
    find_reference_tags,
    is_forward_subject,
    normalise_subject,
    plus_token,
)


class TestReferenceTags:
    def test_our_tag_in_a_reply_subject(self):
        assert find_reference_tags("Re: [KL-26-7QF3MX] Uw klacht over de levering") == ["KL-26-7QF3MX"]

    def test_several_tags_in_order_without_duplicates(self):
        subject = "Antw: [KL-26-7QF3MX] RE: [KL-25-ZP8N2D] [KL-26-7QF3MX] twee klachten"
        assert find_reference_tags(subject) == ["KL-26-7QF3MX", "KL-25-ZP8N2D"]

    def test_case_and_spaces_inside_the_brackets_do_not_matter(self):
        assert find_reference_tags("re: [ kl-26-7qf3mx ] klacht") == ["KL-26-7QF3MX"]

    @pytest.mark.parametrize("tag", ["[KL-26-7QF3MI]", "[KL-26-7QF3M0]", "[KL-26-7QF3MU]", "[KL-26-7QF3M]", "[KL-2026-7QF3MX]"])
    def test_look_alike_letters_and_wrong_lengths_are_not_references(self, tag):
        assert find_reference_tags(f"Re: {tag} Uw klacht") == []

    def test_a_bare_reference_is_not_a_subject_tag(self):
        assert find_reference_tags("Vraag over KL-26-7QF3MX") == []
        assert find_bare_references("Vraag over KL-26-7QF3MX en kl-25-zp8n2d.") == ["KL-26-7QF3MX", "KL-25-ZP8N2D"]

    def test_another_prefix(self):
        assert find_reference_tags("[WZ-26-7QF3MX] Uw klacht", prefix="WZ") == ["WZ-26-7QF3MX"]

    def test_bracket_tokens_for_order_number_references(self):
        assert find_bracket_tokens("Re: [TD-2026-00917] [ 100234 ] [] Uw klacht [VXhome]") == [
            "TD-2026-00917",
            "100234",
            "VXhome",
        ]


class TestForeignTicketTags:
    @pytest.mark.parametrize(
        ("subject", "tags"),
        [
            ("[#48213] Re: Uw klacht", ["generic:#48213"]),  # Zendesk
            ("Re: Request #48213: Uw klacht", ["generic:#48213"]),  # Zendesk
            ("Ticket #5512 - Uw klacht over de fauteuil", ["generic:#5512"]),  # Freshdesk
            ("Support Ticket Opened [#604312]", ["generic:#604312"]),  # osTicket
            ("Re: Uw klacht #12345", ["generic:#12345"]),  # Help Scout
            ("AW: [Ticket#2026020142000017] Nieuwe klacht", ["zammad:2026020142000017"]),  # Zammad, OTRS
            ("RE: [JIRA] (SD-1187) Klacht over het aanrecht", ["jira:SD-1187"]),  # Jira Service Management
            ("Uw klacht [ ref:_00D5g0ABC._5005g0XYZ:ref ]", ["salesforce:_00D5g0ABC._5005g0XYZ"]),
            ("[VXhome] Re: Uw klacht", []),  # Zendesk's account tag names no ticket
            ("Re: Bestelling #12 is kapot", []),  # too short to be a ticket number
            ("Re: [KL-26-7QF3MX] Uw klacht", []),
        ],
    )
    def test_known_helpdesks(self, subject, tags):
        assert find_foreign_ticket_tags(subject) == tags

    def test_the_same_ticket_in_two_forms_is_one_tag(self):
        assert find_foreign_ticket_tags("[#48213] Re: Request #48213") == ["generic:#48213"]

    def test_html_entities_and_links_are_no_tickets(self):
        assert find_foreign_ticket_tags("Caf&#233; https://shop.example/#12345") == []


class TestPlusToken:
    @pytest.mark.parametrize(
        "address",
        [
            "reply+c3vq7hx2kd5m@gehoord.example",
            "VXhome klachtendesk <reply+c3vq7hx2kd5m@gehoord.example>",
            "Reply+C3VQ7HX2KD5M@Gehoord.Example",
            '"reply+c3vq7hx2kd5m"@gehoord.example',
        ],
    )
    def test_the_token_comes_back_lower_cased(self, address):
        assert plus_token(address) == "c3vq7hx2kd5m"

    @pytest.mark.parametrize(
        "address",
        ["reply@gehoord.example", "klachten+c3vq7hx2kd5m@gehoord.example", "reply+@gehoord.example", "reply+a/b@x.example", "no address"],
    )
    def test_no_token(self, address):
        assert plus_token(address) is None

    def test_another_local_prefix_and_domain(self):
        assert plus_token("antwoord+abcd2345@desk.example", local_prefix="antwoord", domain="desk.example") == "abcd2345"
        assert plus_token("reply+abcd2345@elders.example", domain="gehoord.example") is None

    def test_tokens_among_recipients(self):
        recipients = ["klachten@vxhome.example", "reply+abcd2345@gehoord.example", "REPLY+ABCD2345@gehoord.example"]
        assert find_plus_tokens(recipients) == ["abcd2345"]


class TestNormaliseSubject:
    @pytest.mark.parametrize(
        "subject",
        [
            "Re: Uw klacht",
            "RE: RE: Uw klacht",
            "Antw: Re: Uw klacht",
            "Fwd: FW: Uw klacht",
            "Doorst: Uw klacht",
            "WG: AW: Uw klacht",
            "TR: Uw klacht",
            "Re[2]: Uw klacht",
            "  re :  Uw   klacht ",
        ],
    )
    def test_prefixes_go(self, subject):
        assert normalise_subject(subject) == "Uw klacht"

    def test_tags_stay_unless_asked(self):
        subject = "Re: [KL-26-7QF3MX] Re: [#48213] Uw klacht"
        assert normalise_subject(subject) == "[KL-26-7QF3MX] Re: [#48213] Uw klacht"
        assert normalise_subject(subject, drop_tags=True) == "Uw klacht"

    def test_a_word_that_starts_like_a_prefix_stays(self):
        assert normalise_subject("Reparatie van de koelkast") == "Reparatie van de koelkast"
        assert normalise_subject("Antwoord gevraagd") == "Antwoord gevraagd"

    @given(st.text(max_size=80))
    def test_normalising_twice_changes_nothing(self, subject):
        once = normalise_subject(subject)
        assert normalise_subject(once) == once


@pytest.mark.parametrize(
    ("subject", "forward"),
    [
        ("Fwd: Uw retour is afgewezen", True),
        ("FW: Orderbevestiging", True),
        ("Doorst: Garantieclaim", True),
        ("WG: Rechnung", True),
        ("[KL-26-7QF3MX] Fwd: Bon", True),
        ("Re: Fwd: Uw retour", False),
        ("Uw retour", False),
        ("Fwdr: iets", False),
    ],
)
def test_forward_subjects(subject, forward):
    assert is_forward_subject(subject) is forward
