"""Helpers of the browser tests: the seed organisations, a photo, the pages' words, form filling.

The pages' words are looked up in the same translation catalogues the pages use
(`tr(lang, msgid)`, or a form field's own label), so the tests keep passing when the Dutch
catalogue grows, and a Dutch page is checked with its Dutch words.
"""

import io
import re
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation
from PIL import Image, ImageDraw

from gehoord.server import demo
from gehoord.organisations.models import Membership, Organisation
from gehoord.policies.models import PolicyVersion
from gehoord.policies.presets import PRESETS

LOCALES = {"nl": "nl-NL", "en": "en-GB"}
OTHER_LANGUAGE = {"nl": "en", "en": "nl"}


# --- data ----------------------------------------------------------------------------------------


def seed_organisation(slug: str) -> Organisation:
    """One of the four seed organisations as `demo.load()` makes it (policy, staff, categories and
    the inverter's own fields), without its thirteen sample complaints, which take seconds."""
    seed = next(item for item in demo.ORGANISATIONS if item.slug == slug)
    organisation = Organisation.objects.create(
        name=seed.name,
        slug=seed.slug,
        complaint_email=f"klachten@{seed.slug}.example",
        contact_person="Manon Manager",
        country=seed.country,
        time_zone=seed.time_zone,
        language=seed.language,
        currency=seed.currency,
        website=f"https://{seed.slug}.example",
        connected=True,
    )
    PolicyVersion.publish(organisation, PRESETS[seed.slug], preset=seed.slug, change_note="Browser tests")
    staff = {}
    for suffix, first, last, roles in demo.STAFF:
        user = get_user_model().objects.create_user(
            username=f"{suffix}@{seed.slug}", email=f"{suffix}@{seed.slug}.example", password=demo.DEMO_PASSWORD,
            first_name=first, last_name=last,
        )
        for role in roles:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        staff[suffix] = user
    demo._categories(organisation, seed, staff)  # the seed's categories, teams and fields, as the demo has them
    return organisation


def photo(name: str = "schade.png") -> dict:
    """A real PNG photo (a dented box), as Playwright's `set_input_files` takes it."""
    image = Image.new("RGB", (480, 320), (232, 226, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 60, 390, 260), fill=(196, 160, 112), outline=(120, 90, 60), width=6)
    draw.line((150, 80, 230, 170, 200, 240), fill=(70, 50, 30), width=5)
    draw.ellipse((300, 90, 360, 150), fill=(160, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": out.getvalue()}


# --- words ---------------------------------------------------------------------------------------


def tr(lang: str, text, **values) -> str:
    """`text` as the pages show it in `lang`: a msgid of the project's catalogues, or a lazy
    translation (a form's title, an event's label, a choice's label)."""
    with translation.override(lang):
        translated = translation.gettext(text) if isinstance(text, str) else str(text)
    return translated % values if values else translated


def label(lang: str, form_class, name: str) -> str:
    """The label of a form's field in `lang`."""
    with translation.override(lang):
        return str(form_class.base_fields[name].label)


def local(lang: str, organisation: Organisation, value, format_name: str = "DATE_FORMAT") -> str:
    """A moment as the pages of `organisation` print it in `lang` (its own time zone)."""
    with translation.override(lang), timezone.override(ZoneInfo(organisation.time_zone)):
        return formats.date_format(timezone.localtime(value), format_name)


def number(lang: str, value) -> str:
    """A number as the pages print it in `lang` (149,50 in Dutch)."""
    with translation.override(lang):
        return formats.localize(value)


# --- pages ---------------------------------------------------------------------------------------


def by_label(scope, text: str):
    """The input labelled `text`, also when the label adds a colon or "(optional)" in the page's language."""
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}:?(?:\s*\(.+\))?$"))


def details(scope) -> dict[str, str]:
    """A <dl class="details"> (the confirmation, the tracking page) as {term: description}."""
    return scope.locator("dl.details").first.evaluate(
        """dl => Object.fromEntries([...dl.querySelectorAll(":scope > dt")].map(
               dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.replace(/\\s+/g, " ").trim()]))"""
    )


def switch_language(page, lang: str, to: str) -> None:
    """Choose another language in the header's language switch (it posts to /i18n/setlang/)."""
    with page.expect_navigation():
        page.get_by_label(tr(lang, "Language"), exact=True).select_option(to)


def log_in(page, lang: str, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Log in on the login page the browser is on."""
    from django.contrib.auth.forms import AuthenticationForm

    with translation.override(lang):
        form = AuthenticationForm()
        username_label, password_label = str(form.fields["username"].label), str(form.fields["password"].label)
    by_label(page, username_label).fill(username)
    by_label(page, password_label).fill(password)
    page.get_by_role("button", name=tr(lang, "Log in"), exact=True).click()


def open_action(page, action: str):
    """Unfold a desk action (a <details class="action"> on the complaint page) and return it."""
    action_details = page.locator(f"details#action-{action}")
    action_details.locator("summary").click()
    return action_details


def timeline_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("ol.timeline > li > strong").all_inner_texts()]


def in_order(expected: list[str], shown: list[str]) -> bool:
    """Whether `expected` appear in `shown` in this order (other entries may come between)."""
    remaining = iter(shown)
    return all(any(item == entry for entry in remaining) for item in expected)
