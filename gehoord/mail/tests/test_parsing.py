"""Parsing raw mail into plain values: lenient with bad input, never raising, never dropping."""

import dataclasses
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gehoord.mail.parsing import (
    SYNTHETIC_ID_DOMAIN,
    decode_bytes,
    decode_header_text,
    html_to_text,
    parse_message,
    sanitise_html,
    unflow,
)
from gehoord.mail.tests.support import CORPUS



def message(headers: str, body: str = "Hallo,\n\nDe bank is kapot.\n\nCarol\n", *, encoding: str = "utf-8") -> bytes:
    head = "From: Carol Jansen <carol@example.nl>\nTo: klachten@vxhome.example\n" + headers
    return (head.strip("\n") + "\n\n" + body).encode(encoding)


class TestIdentity:
    def test_message_id_without_angle_brackets(self):
        mail = parse_message(message("Message-ID: <CAF3x9Q@mail.gmail.com>\n"))
        assert mail.message_id == "CAF3x9Q@mail.gmail.com"
        assert not mail.message_id_synthetic

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("Message-ID: abc.123@example.nl", "abc.123@example.nl"),
            ("Message-ID:   < abc.123@example.nl >  ", "abc.123@example.nl"),
            ("Message-Id: <abc.123@example.nl> (added by gateway)", "abc.123@example.nl"),
            ("Message-ID:\n <abc.123@example.nl>", "abc.123@example.nl"),
        ],
    )
    def test_sloppy_message_ids(self, header, expected):
        assert parse_message(message(header + "\n")).message_id == expected

    def test_a_missing_message_id_is_synthetic_and_stable(self):
        raw = message("Subject: Klacht\n")
        first, second = parse_message(raw), parse_message(raw)
        assert first.message_id_synthetic
        assert first.message_id == second.message_id
        assert first.message_id.endswith("@" + SYNTHETIC_ID_DOMAIN)
        assert parse_message(message("Subject: Andere klacht\n")).message_id != first.message_id

    def test_thread_ids(self):
        mail = parse_message(
            message("In-Reply-To: <c@gehoord.example>\nReferences: <a@gehoord.example>\n <b@gehoord.example> <c@gehoord.example>\n")
        )
        assert mail.in_reply_to == ("c@gehoord.example",)
        assert mail.references == ("a@gehoord.example", "b@gehoord.example", "c@gehoord.example")
        assert mail.thread_ids == ("c@gehoord.example", "b@gehoord.example", "a@gehoord.example")


class TestHeaders:
    def test_addresses_are_lower_cased_addr_specs(self):
        mail = parse_message(
            message(
                'Cc: "Jansen, Piet" <Piet@Example.NL>, undisclosed-recipients:;\n'
                "Reply-To: Carol <Carol+klacht@Example.NL>\n"
                "Delivered-To: Reply+ABC123@gehoord.example\nX-Original-To: klachten@vxhome.example\n"
            )
        )
        assert mail.from_address == "carol@example.nl"
        assert mail.from_name == "Carol Jansen"
        assert mail.cc == ("piet@example.nl",)
        assert mail.reply_to == ("carol+klacht@example.nl",)
        assert mail.delivered_to == ("reply+abc123@gehoord.example", "klachten@vxhome.example")
        assert mail.recipients == ("klachten@vxhome.example", "piet@example.nl", "reply+abc123@gehoord.example")

    @pytest.mark.parametrize(
        ("raw", "text"),
        [
            ("=?utf-8?q?caf=C3=A9?=", "café"),
            ("=?iso-8859-1?q?caf=E9?= en =?utf-8?b?w6k=?=", "café en é"),
            ("=?x-unknown?q?caf=E9?=", "café"),  # an unknown label still reads
            ("=?utf-8?q?Re=3A_Uw?=\n =?utf-8?q?_klacht?=", "Re: Uw klacht"),
            ("caf\udcc3\udca9", "café"),  # raw 8-bit UTF-8
            ("caf\udce9", "café"),  # raw 8-bit Latin-1
            ("  Uw klacht\x07 ", "Uw klacht"),
        ],
    )
    def test_header_text(self, raw, text):
        assert decode_header_text(raw) == text

    def test_raw_latin_1_subject(self):
        raw = b"From: a@b.example\nSubject: Klacht over caf\xe9\n\nbody\n"
        assert parse_message(raw).subject == "Klacht over café"

    def test_dates_are_aware(self):
        assert parse_message(message("Date: Mon, 5 Jan 2026 10:00:00 +0100\n")).date == datetime(
            2026, 1, 5, 9, 0, tzinfo=UTC
        )
        # "-0000": the sender's zone is unknown, the instant is UTC.
        assert parse_message(message("Date: Mon, 5 Jan 2026 10:00:00 -0000\n")).date == datetime(
            2026, 1, 5, 10, 0, tzinfo=UTC
        )

    def test_an_unreadable_date_is_none_and_noted(self):
        mail = parse_message(message("Date: maandag ochtend\n"))
        assert mail.date is None
        assert any("Date" in defect for defect in mail.defects)
        assert not mail.malformed

    def test_return_path(self):
        assert parse_message(message("")).return_path is None
        assert parse_message(message("Return-Path: <>\n")).return_path == ""
        assert parse_message(message("Return-Path: <Bounce@Mailer.example>\n")).return_path == "bounce@mailer.example"

    def test_noise_headers_are_kept(self):
        mail = parse_message(
            message(
                "Auto-Submitted: auto-replied\nPrecedence: bulk\nX-Autoreply: yes\nX-Autorespond: yes\n"
                "X-Auto-Response-Suppress: All\nList-Id: <nieuws.example>\nX-Failed-Recipients: A@b.example\n"
                "User-Agent: Mozilla Thunderbird\n"
            )
        )
        assert (mail.auto_submitted, mail.precedence, mail.x_autoreply, mail.x_autorespond) == (
            "auto-replied",
            "bulk",
            "yes",
            "yes",
        )
        assert mail.x_auto_response_suppress == "All"
        assert mail.list_id == "<nieuws.example>"
        assert mail.x_failed_recipients == ("a@b.example",)
        assert mail.user_agent == "Mozilla Thunderbird"

    def test_a_garbage_line_among_the_headers_does_not_hide_the_rest(self):
        raw = message("Subject: Klacht\nthis is no header\nX-Mailer : Webmail\nContent-Type: text/plain; charset=iso-8859-1\n")
        mail = parse_message(raw.replace("Hallo".encode(), b"H\xe9"))
        assert mail.subject == "Klacht"
        assert mail.user_agent == "Webmail"
        assert mail.text_full.startswith("Hé")  # the charset after the garbage line was read
        assert mail.malformed

    def test_a_missing_blank_line_before_the_body_keeps_the_body(self):
        mail = parse_message(b"From: a@b.example\nSubject: Klacht\nIk wil klagen over\nde levering.\n")
        assert mail.subject == "Klacht"
        assert mail.text_full == "Ik wil klagen over\nde levering."
        assert mail.malformed


class TestBody:
    def test_plain_text_is_preferred_in_an_alternative(self):
        raw = message(
            'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"\n',
            "--b\nContent-Type: text/plain; charset=utf-8\n\nPlain\n--b\nContent-Type: text/html\n\n<p>Rich</p>\n--b--\n",
        )
        mail = parse_message(raw)
        assert mail.text_full == "Plain"
        assert mail.html_sanitised == "<p>Rich</p>"

    def test_an_empty_text_part_next_to_html_gives_way(self):
        raw = message(
            'Content-Type: multipart/alternative; boundary="b"\n',
            "--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html\n\n<p>Alleen HTML</p>\n--b--\n",
        )
        assert parse_message(raw).text_full == "Alleen HTML"

    def test_html_only_is_rendered_to_text_with_quotes(self):
        raw = message(
            "Subject: Re: Uw klacht\nContent-Type: text/html; charset=utf-8\n",
            "<div>Ja, dat klopt.</div><div>Op 5 jan 2026 om 10:00 schreef VXhome &lt;a@b.example&gt;:</div>"
            "<blockquote>Klopt het adres?</blockquote>",
        )
        mail = parse_message(raw)
        assert mail.text_full == "Ja, dat klopt.\nOp 5 jan 2026 om 10:00 schreef VXhome <a@b.example>:\n\n> Klopt het adres?"
        assert mail.text_visible == "Ja, dat klopt."

    def test_text_parts_around_an_inline_image_are_joined(self):
        raw = message(
            'Content-Type: multipart/mixed; boundary="b"\n',
            "--b\nContent-Type: text/plain\n\nVoor de foto.\n"
            "--b\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
            "--b\nContent-Type: text/plain\n\nNa de foto.\n--b--\n",
        )
        mail = parse_message(raw)
        assert mail.text_full == "Voor de foto.\n\nNa de foto."
        assert [(a.filename, a.inline) for a in mail.attachments] == [("image-1.png", True)]

    def test_text_attachments_and_other_types_are_attachments(self):
        raw = message(
            'Content-Type: multipart/mixed; boundary="b"\n',
            "--b\nContent-Type: text/plain\n\nZie bijlagen.\n"
            '--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="C:\\\\fakepath\\\\notities.txt"\n\nnotities\n'
            "--b\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\n--b--\n",
        )
        mail = parse_message(raw)
        assert mail.text_full == "Zie bijlagen."
        assert [(a.filename, a.content_type, a.payload.strip()) for a in mail.attachments] == [
            ("notities.txt", "text/plain", b"notities"),
            ("attachment-2.ics", "text/calendar", b"BEGIN:VCALENDAR"),
        ]

    def test_format_flowed_is_unwrapped(self):
        raw = message(
            "Content-Type: text/plain; charset=utf-8; format=flowed\n",
            "Een lange zin die door de \nclient is afgebroken.\n\n> Een geciteerde \n> regel.\n",
        )
        assert parse_message(raw).text_full == "Een lange zin die door de client is afgebroken.\n\n> Een geciteerde regel."

    def test_nul_characters_do_not_reach_the_text(self):
        mail = parse_message(message("Content-Type: text/plain\n", "a\x00b\n"))
        assert mail.text_full == "a\ufffdb"

    def test_a_forward_keeps_its_history_visible(self):
        body = "Zie hieronder.\n\nVan: Winkel\nVerzonden: maandag\nAan: Carol\nOnderwerp: Afwijzing\n\nAfgewezen.\n"
        assert "Afgewezen." in parse_message(message("Subject: FW: Afwijzing\n", body)).text_visible
        assert "Afgewezen." not in parse_message(message("Subject: RE: Afwijzing\n", body)).text_visible

    def test_the_values_are_frozen(self):
        mail = parse_message(message(""))
        with pytest.raises(dataclasses.FrozenInstanceError):
            mail.subject = "x"  # type: ignore[misc]


class TestCharsets:
    @pytest.mark.parametrize(
        ("data", "charset", "text", "defect"),
        [
            ("café".encode(), "utf-8", "café", None),
            ("café".encode(), None, "café", None),
            ("café".encode("latin-1"), "us-ascii", "café", None),
            ("“café”".encode("cp1252"), "iso-8859-1", "“café”", None),  # labelled Latin-1, written as Windows-1252
            ("€".encode("iso-8859-15"), "ISO-8859-15", "€", None),
            ("café".encode("latin-1"), "x-mac-nederlands", "café", "unknown charset 'x-mac-nederlands'"),
            ("café".encode("latin-1"), "utf-8", "café", "text is not valid utf-8; read as cp1252"),
            ("café".encode(), '"UTF-8"', "café", None),
            (b"abc", "base64", "abc", "unknown charset 'base64'"),  # a codec, but no charset
        ],
    )
    def test_decode_bytes(self, data, charset, text, defect):
        assert decode_bytes(data, charset) == (text, defect)

    def test_every_byte_reads_somehow(self):
        text, _ = decode_bytes(bytes(range(256)), "x-unknown")
        assert len(text) == 256


class TestHtml:
    def test_scripts_styles_and_remote_images_go(self):
        cleaned = sanitise_html(
            '<style>p{color:red}</style><script>alert(1)</script><p onclick="x()">Hoi'
            '<img src="https://t.example/p.gif" width="1" height="1"><img src=https://t.example/q.png></p>'
        )
        assert cleaned == "<p>Hoi</p>"

    def test_inline_images_keep_their_content_id(self):
        cleaned = sanitise_html('<p><img alt="foto" src="cid:IMG_1%40x.example"> <img src=cid:logo></p>')
        assert cleaned == '<p><img alt="foto" data-cid="IMG_1@x.example"> <img data-cid="logo"></p>'

    def test_links_are_kept_safe(self):
        cleaned = sanitise_html('<a href="https://vxhome.example/">site</a><a href="javascript:alert(1)">x</a>')
        assert 'href="https://vxhome.example/"' in cleaned
        assert "javascript" not in cleaned
        assert 'rel="noopener noreferrer nofollow"' in cleaned

    def test_text_rendering(self):
        markup = (
            "<html><head><title>T</title><style>x</style></head><body><h1>Klacht</h1><p>Regel&nbsp;een<br>regel twee</p>"
            "<ul><li>bank</li><li>stoel</li></ul><pre>  vast\n  formaat</pre>"
            "<blockquote>oud<blockquote>ouder</blockquote></blockquote></body></html>"
        )
        assert html_to_text(markup) == (
            "Klacht\n\nRegel een\nregel twee\n\n- bank\n- stoel\n\n  vast\n  formaat\n\n> oud\n>\n> > ouder"
        )

    def test_unflow_keeps_quote_depths_apart(self):
        assert unflow("a \nb\n> c \n> d\n>> e") == "a b\n> c d\n>> e"
        assert unflow("mail- \nclient", delsp=True) == "mail-client"
        assert unflow(" From here on") == "From here on"  # space-stuffing goes
        assert unflow("-- \nCarol") == "-- \nCarol"  # the signature separator is no soft break


class TestBadInput:
    @pytest.mark.parametrize("raw", [b"", b"\n\n", b"\x00\xff\xfe", b"Subject: only a header", b"-- \n" * 1000])
    def test_odd_input_still_gives_a_parsed_mail(self, raw):
        mail = parse_message(raw)
        assert mail.message_id_synthetic
        assert isinstance(mail.text_full, str)

    def test_deeply_nested_parts_are_kept_raw(self):
        nesting = 200
        raw = b"From: a@b.example\nSubject: bom\n"
        for level in range(nesting):
            raw += f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n'.encode()
        raw += b"Content-Type: text/plain\n\ndiep verstopt\n"
        for level in reversed(range(nesting)):
            raw += f"--b{level}--\n".encode()
        mail = parse_message(raw)
        assert mail.malformed
        assert any(b"diep verstopt" in attachment.payload for attachment in mail.attachments)

    def test_no_headers_at_all_is_malformed(self):
        mail = parse_message(b"Ik heb een klacht over de bank.\n")
        assert mail.malformed
        assert mail.text_full == "Ik heb een klacht over de bank."

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def test_parsing_never_raises(self, raw):
        mail = parse_message(raw)
        assert mail.message_id

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(
        [b"From: a@b.example\n", b"Content-Type: multipart/mixed; boundary=x\n", b"Content-Type: message/rfc822\n",
         b"Content-Transfer-Encoding: base64\n", b"Content-Type: text/html; charset=x-foo\n", b"\n", b"--x\n", b"--x--\n",
         b"=?utf-8?b?w6k?=\n", b"<blockquote>\n", b"> quoted\n", b"Subject: =?bogus?q?=ZZ?=\n", b"\xff\xfe\n",
         b"Content-Disposition: attachment; filename*=bogus''%ZZ\n", b"Content-Type: message/delivery-status\n"]
    ), max_size=40))
    def test_mime_shaped_garbage_never_raises(self, chunks):
        parse_message(b"".join(chunks))

    @pytest.mark.parametrize("path", sorted(CORPUS.glob("*.eml")), ids=lambda path: path.stem)
    def test_damaged_corpus_files_never_raise(self, path):
        raw = path.read_bytes()
        rng = random.Random(path.name)
        for _ in range(25):
            damaged = bytearray(raw[: rng.randrange(len(raw) + 1)])
            for _ in range(rng.randrange(8)):
                if damaged:
                    damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            mail = parse_message(bytes(damaged))
            assert isinstance(mail.text_visible, str)
