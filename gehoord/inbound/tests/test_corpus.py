"""The recorded mail corpus: every .eml in corpus/ against its expectation in corpus/manifest.json.

Each file is a realistic message of one mail client or mail system; the manifest says what the
platform must make of it (noise class, tags, plus token, visible text, attachments, malformed).
"""

import json
from functools import cache
from typing import Any

import pytest

from gehoord.inbound.noise import NoiseKind, classify
from gehoord.mail.parsing import ParsedMail, parse_message
from gehoord.mail.tags import find_bracket_tokens, find_foreign_ticket_tags, find_plus_tokens, find_reference_tags
from gehoord.mail.tests.support import CORPUS

MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["messages"]
ENTRIES = pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"].removesuffix(".eml") for entry in MANIFEST])


@cache
def parsed(file: str) -> ParsedMail:
    return parse_message((CORPUS / file).read_bytes())


def test_every_corpus_file_has_an_expectation():
    on_disk = sorted(path.name for path in CORPUS.glob("*.eml"))
    in_manifest = sorted(entry["file"] for entry in MANIFEST)
    assert on_disk == in_manifest
    assert len(on_disk) >= 45


@ENTRIES
def test_noise_class(entry):
    noise = classify(parsed(entry["file"]))
    assert noise.kind == NoiseKind(entry["noise"]), noise.reason
    if "noise_reason_contains" in entry:
        assert entry["noise_reason_contains"].lower() in noise.reason.lower()
    if bounce := entry.get("bounce"):
        assert list(noise.failed_recipients) == bounce["failed_recipients"]
        assert noise.permanent is bounce["permanent"]
        assert noise.status == bounce["status"]
        assert noise.original_message_id == bounce.get("original_message_id", "")


@ENTRIES
def test_tags_and_plus_token(entry):
    mail = parsed(entry["file"])
    assert find_reference_tags(mail.subject) == entry["reference_tags"]
    assert find_foreign_ticket_tags(mail.subject) == entry["foreign_tags"]
    assert find_plus_tokens(mail.recipients, domain="gehoord.example") == entry["plus_tokens"]
    if "bracket_tokens" in entry:
        assert find_bracket_tokens(mail.subject) == entry["bracket_tokens"]


@ENTRIES
def test_visible_text(entry):
    mail = parsed(entry["file"])
    for snippet in entry["visible_contains"]:
        assert snippet in mail.text_visible
    for snippet in entry["visible_excludes"]:
        assert snippet not in mail.text_visible
    for snippet in entry.get("text_excludes", []):
        assert snippet not in mail.text_full


@ENTRIES
def test_nothing_is_lost(entry):
    """The quoted history leaves the visible text only: the full text still holds it."""
    mail = parsed(entry["file"])
    assert mail.text_visible.strip()
    for snippet in entry["visible_excludes"] + entry["visible_contains"]:
        assert snippet in mail.text_full


@ENTRIES
def test_attachments(entry):
    mail = parsed(entry["file"])
    assert [attachment.filename for attachment in mail.attachments] == entry["attachments"]
    assert all(attachment.payload for attachment in mail.attachments)
    if "attachment_types" in entry:
        assert [attachment.content_type for attachment in mail.attachments] == entry["attachment_types"]
    if "inline_cids" in entry:
        assert [a.content_id for a in mail.attachments if a.inline] == entry["inline_cids"]
    if forwarded := entry.get("forwarded"):
        (message,) = [a for a in mail.attachments if a.is_forwarded_message]
        inner = parse_message(message.payload)
        assert inner.subject == forwarded["subject"]
        assert forwarded["text_contains"] in inner.text_full
        assert [attachment.filename for attachment in inner.attachments] == forwarded["attachments"]


@ENTRIES
def test_html(entry):
    mail = parsed(entry["file"])
    if "html_sanitised" in entry:
        assert mail.html_sanitised == entry["html_sanitised"]
    for snippet in entry.get("html_contains", []):
        assert snippet in mail.html_sanitised
    for snippet in entry.get("html_excludes", []):
        assert snippet not in mail.html_sanitised


@ENTRIES
def test_malformed_flag_and_defects(entry):
    mail = parsed(entry["file"])
    assert mail.malformed is entry["malformed"], mail.defects
    for snippet in entry.get("defects_contain", []):
        assert any(snippet in defect for defect in mail.defects), mail.defects


@ENTRIES
def test_headers(entry):
    mail = parsed(entry["file"])
    assert "@" in mail.from_address
    assert mail.message_id_synthetic is entry.get("message_id_synthetic", False)
    for field in ("message_id", "subject", "from_address", "from_name", "return_path", "list_id"):
        if field in entry:
            assert getattr(mail, field) == entry[field]
    for field in ("in_reply_to", "references", "to", "reply_to", "delivered_to"):
        if field in entry:
            assert list(getattr(mail, field)) == entry[field]
    assert mail.date is not None and mail.date.tzinfo is not None


@ENTRIES
def test_parsing_is_stable(entry):
    """The same bytes give the same values, synthetic Message-ID included (duplicate delivery)."""
    raw = (CORPUS / entry["file"]).read_bytes()
    assert parse_message(raw) == parse_message(raw)


@ENTRIES
def test_the_quick_message_id_is_the_parsed_one(entry):
    """What a door stores the mail under (without a full parse) is the id the parser reads."""
    from gehoord.mail.parsing import message_id_of

    raw = (CORPUS / entry["file"]).read_bytes()
    mail = parsed(entry["file"])
    assert message_id_of(raw) == (mail.message_id, mail.message_id_synthetic)
