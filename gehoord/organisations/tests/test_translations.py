"""The Dutch catalogue (gehoord/locale/nl): complete, consistent with the source, compiled, and in use.

Plain Python reads the .po and the committed .mo, so these tests need no gettext tools; only the
check that the catalogue covers every string of the source runs xgettext (through makemessages),
and only where it is installed.
"""

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import gehoord

PACKAGE_DIR = Path(gehoord.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
PO_PATH = LOCALE_DIR / "nl" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The same selection as the commands that write the catalogue, run from the gehoord package
# (GEHOORD_DATA_DIR keeps the settings from making a data folder, with a secret key, inside it):
#   GEHOORD_DATA_DIR=../var ../.venv/bin/gehoord makemessages -l nl --ignore 'tests/*' --ignore '*/tests/*' \
#       --ignore locale --ignore static --no-obsolete
#   GEHOORD_DATA_DIR=../var ../.venv/bin/gehoord compilemessages -l nl --ignore mail
# ("--ignore locale" keeps makemessages from sending an app's strings to that app's own catalogue,
# e.g. gehoord/mail/locale, instead of this one; "--ignore mail" leaves the mail app's .mo alone.)
IGNORE_PATTERNS = ["tests/*", "*/tests/*", "locale", "static"]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
NPLURALS = 2  # Dutch: one, other


# --- a small .po reader --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')


def _string(literal: str, where: int) -> str:
    if not (literal.startswith('"') and literal.endswith('"')):
        raise ValueError(f"line {where}: not a quoted string: {literal}")
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` entries left out), the header first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if entry is not None and target is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if target is not None and keyword in ("msgctxt", "msgid") and target[0] == "msgstr":
                # A new entry without a blank line before it.
                finish()
                entry = Entry(line=number)
            value = _string(literal, number)
            if keyword == "msgstr":
                target = ("msgstr", int(index) if index is not None else 0)
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, None)
                setattr(entry, keyword, value)
            continue
        if line.startswith('"') and target is not None:
            value = _string(line, number)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
            continue
        raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid != ""]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages (see IGNORE_PATTERNS)"
    return parse_po(PO_PATH)


# --- placeholders and markup -------------------------------------------------------------------

_PERCENT = re.compile(
    r"%%"  # a literal percent sign
    r"|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %(name)s
    r"|%[-#0+]*\d*(?:\.\d+)?[sdifr]"  # %s, %d
)
_BRACE = re.compile(r"\{[A-Za-z_]\w*\}")  # {name}; not a regular expression's {4}
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def placeholders(text: str) -> list[str]:
    found = [token for token in _PERCENT.findall(text) if token != "%%"]
    return sorted(found + _BRACE.findall(text))


def tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


# --- the tests -----------------------------------------------------------------------------------


def test_the_header_is_dutch_with_two_plural_forms_and_not_fuzzy(catalogue):
    header = catalogue[0]
    assert header.msgid == "", "the catalogue starts with its header"
    assert "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: nl\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_the_catalogue_has_messages_and_no_duplicates(catalogue):
    keys = [entry.key for entry in messages(catalogue)]
    assert len(keys) > 100
    assert len(keys) == len(set(keys)), "a msgid appears twice"


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    problems = []
    for entry in messages(catalogue):
        if "fuzzy" in entry.flags:
            problems.append(f"{entry}: fuzzy")
        expected_forms = list(range(NPLURALS)) if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms:
            problems.append(f"{entry}: forms {sorted(entry.msgstr)}, expected {expected_forms}")
        for form, text in entry.msgstr.items():
            if not text.strip():
                problems.append(f"{entry}: msgstr[{form}] is empty")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders_and_markup_of_the_source(catalogue):
    problems = []
    for entry in messages(catalogue):
        for form, text in entry.msgstr.items():
            source = entry.msgid if form == 0 or entry.msgid_plural is None else entry.msgid_plural
            if placeholders(text) != placeholders(source):
                problems.append(f"{entry}: msgstr[{form}] has {placeholders(text)}, the source {placeholders(source)}")
            if tags(text) != tags(source):
                problems.append(f"{entry}: msgstr[{form}] has tags {tags(text)}, the source {tags(source)}")
            if source.endswith("\n") != text.endswith("\n"):
                problems.append(f"{entry}: msgstr[{form}] and the source differ in a final newline")
    assert not problems, "\n".join(problems)


class _Missing(gettext.NullTranslations):
    """The fallback of the compiled catalogue: marks what the .mo does not have."""

    MARK = "\x00missing\x00"

    def gettext(self, message):
        return self.MARK

    def ngettext(self, msgid1, msgid2, n):
        return self.MARK

    def pgettext(self, context, message):
        return self.MARK

    def npgettext(self, context, msgid1, msgid2, n):
        return self.MARK


def test_the_compiled_catalogue_matches_the_po(catalogue):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages and commit the .mo"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    compiled.add_fallback(_Missing())
    assert compiled.info().get("language") == "nl"
    assert compiled.info().get("plural-forms", "").replace(" ", "").startswith("nplurals=2;")
    stale = []
    for entry in messages(catalogue):
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = {0: compiled.gettext(entry.msgid)}
            else:
                got = {0: compiled.pgettext(entry.msgctxt, entry.msgid)}
        else:
            # Dutch plural: n == 1 takes form 0, any other n form 1.
            if entry.msgctxt is None:
                got = {form: compiled.ngettext(entry.msgid, entry.msgid_plural, n) for form, n in ((0, 1), (1, 2))}
            else:
                got = {
                    form: compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    for form, n in ((0, 1), (1, 2))
                }
        if got != entry.msgstr:
            stale.append(f"{entry}: the .mo says {got}, the .po {entry.msgstr}")
    assert not stale, "the .mo is stale; run compilemessages:\n" + "\n".join(stale)


def _copy_sources(destination: Path) -> None:
    """The translatable sources of the package (Python and templates), without compiled or data files."""
    for path in PACKAGE_DIR.rglob("*"):
        relative = path.relative_to(PACKAGE_DIR)
        if path.is_file() and path.suffix in SOURCE_SUFFIXES and "__pycache__" not in relative.parts:
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def test_the_catalogue_has_every_string_of_the_source(catalogue, tmp_path, monkeypatch, settings):
    if not all(shutil.which(tool) for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib")):
        # Without GNU gettext the source cannot be scanned; the committed catalogue is all there is.
        assert PO_PATH.exists() and MO_PATH.exists()
        return
    # makemessages on a copy of the sources, into a scratch locale folder: the committed catalogue,
    # the apps' own catalogues and the source tree stay untouched (templates are preprocessed next
    # to themselves).
    sources = tmp_path / "gehoord"
    _copy_sources(sources)
    scratch = tmp_path / "locale"
    settings.LOCALE_PATHS = [str(scratch)]
    monkeypatch.chdir(sources)
    call_command("makemessages", locale=["nl"], ignore_patterns=IGNORE_PATTERNS, no_obsolete=True, verbosity=0)
    extracted = messages(parse_po(scratch / "nl" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 100, "makemessages found (almost) nothing: is the selection right?"
    committed = {entry.key for entry in messages(catalogue)}
    missing = [str(entry) for entry in extracted if entry.key not in committed]
    assert not missing, (
        "strings in the source that the Dutch catalogue lacks; from gehoord/ run makemessages "
        f"(see IGNORE_PATTERNS), translate them and compilemessages:\n" + "\n".join(missing)
    )


# --- the pages, in Dutch ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, dutch, english",
    [
        (
            "/",
            ["Een klacht indienen", "Volg uw klacht", "Kenmerk", "E-mailadres", "Naar de inhoud"],
            ["Submit a complaint", "Follow your complaint", "E-mail address", "Skip to content"],
        ),
        (
            "/accounts/login/",
            ["Inloggen in de medewerkersomgeving", "Inloggen", "Gebruikersnaam"],
            ["Log in to the staff desk", "Log in", "Username"],
        ),
        (
            "/volgen/",
            ["Volg uw klacht", "Kenmerk", "Zoals in uw bevestiging"],
            ["Follow your complaint", "As in your confirmation"],
        ),
    ],
)
def test_pages_speak_dutch(client, url, dutch, english):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="nl">' in page
    for word in dutch:
        assert word in page, f"{word!r} missing from {url}"
    for word in english:
        assert word not in page, f"English {word!r} on the Dutch {url}"


@pytest.mark.django_db
def test_the_same_page_still_speaks_english_when_asked(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit a complaint" in page
    assert "Een klacht indienen" not in page


@pytest.mark.django_db
def test_the_consumer_follows_a_complaint_in_dutch(client, complaint):
    opened = client.post(
        "/volgen/", {"reference": complaint.reference, "email": complaint.contact_email}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert opened.status_code == 302
    page = client.get(opened["Location"], HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f"Klacht {complaint.reference}" in page
    for word in ("Verloop", "Gegevens", "Uw klacht", "Klacht ontvangen", "Organisatie"):
        assert word in page, word
    for word in ("History", "Details", "Your complaint", "Complaint received", "Organisation"):
        assert word not in page, word


@pytest.mark.django_db
def test_the_staff_desk_speaks_dutch(client, acme, alice, complaint):
    client.force_login(alice)
    page = client.get(f"/desk/{acme.slug}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for word in ("Werkvoorraad", "Mijn klachten", "Uitloggen", "Klachten filteren", "Kenmerk", "Behandelaar"):
        assert word in page, word
    for word in ("Queue", "My complaints", "Log out", "Filter the complaints", "Handler"):
        assert word not in page, word
