"""Every page a consumer or staff member can reach, in Dutch and in English: no serious or critical
accessibility violation (axe-core, run inside the page) and no text in the other language.

The pages are found, not listed: from each role's entry page (the portal, a consumer's account and
tracking page, the desk of an agent, a manager, a board member and a company admin of a Dutch and
an English organisation, moderation, legal aid) the crawler follows same-site links breadth-first,
one page per kind of address (`/klachten/123/` and `/klachten/456/` are one kind), up to a bound
per role; then it submits the empty forms whose error states people see. A page another part of
the code adds later is covered as soon as a link leads to it.

The data set (`site`) is made once for both languages.

Text that people typed (a description, a message, a company's name) is not ours to translate: the
pages mark it with its own `lang`, or `translate="no"` where its language is unknown, and the
language check skips it. Screenshots: test-artifacts/screenshots/<lang>/every-page/.
"""

import random
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Publication, Status
from gehoord.complaints.tracking import tracking_url
from gehoord.desk.tests.browser.conftest import REPORT_CSP_VIOLATIONS, VIEWPORT, screenshot_folder
from gehoord.desk.tests.browser.support import LOCALES, seed_organisation
from gehoord.platform import closing, legalaid
from gehoord.platform.tests.accounts_support import moderator
from gehoord.platform.tests.endings_support import consumer_account, email_only_company, legal_advisor, platform_complaint
from gehoord.server import demo

User = get_user_model()

AXE = Path(__file__).parent / "fixtures" / "axe" / "axe.min.js"
PAGES_PER_ROLE = 20
BLOCKING_IMPACTS = {"serious", "critical"}

# Links the crawler never follows: leaving (log-out), downloads, the operators' admin and the API.
SKIPPED = re.compile(
    r"(uitloggen|logout|/admin/|/api/|/static/|/media/|/bijlagen/|/attachment/|/dossier/|/export|"
    r"\.(pdf|csv|xlsx|zip|json)$|/i18n/)"
)
# An address of the same kind as another: a number, a reference or a token stands for any other.
# The forms of a complaint's actions are one kind too.
VARIABLE_PART = re.compile(r"/[^/]*\d[^/]*(?=/|$)|(?<=/action)/[^/]+")

# Function words that occur in one language only (no "in", "is", "was", "we", "over", "door").
ENGLISH = frozenset(
    "the and of to are were with for this that your you our not have has been be by from it can will "
    "or an on when which what who there their they would should must than then these those here at as "
    "if all any each only also more after before into out about please how why where yet its does did "
    "shown sent received complaint complaints answer answered days settings none".split()
)
DUTCH = frozenset(
    "de het een en van voor met op te dat niet zijn wordt worden je jij u uw wij ons onze naar bij aan "
    "om als dan ook nog geen er hier deze dit wat wie waar hoe kan kunt moet mag zal zullen heeft "
    "hebben werd uit tot na binnen klacht klachten ontvangen verstuurd instellingen naam dagen alle "
    "nieuwe gegevens graag".split()
)
WORDS = re.compile(r"[a-zà-ÿ]+")

# The visible texts of the page (and what a screen reader reads: labels, alternatives, titles),
# without what is marked as typed by people or as being in another language.
PAGE_TEXTS = """
() => {
  const pageLang = document.documentElement.lang;
  const skipped = (element) => !element
    || element.closest("script, style, code, pre, [translate=no]")
    || (element.closest("[lang]") && element.closest("[lang]").lang !== pageLang);
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (skipped(element) || getComputedStyle(element).display === "none") continue;
    texts.push(walker.currentNode.textContent);
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    if (skipped(element)) continue;
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.map((text) => text.replace(/\\s+/g, " ").trim()).filter((text) => text.split(" ").length >= 4);
}
"""

RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"], runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]});
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    targets: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
  }));
}
"""


def wrong_language(text: str, lang: str) -> bool:
    """Whether `text` reads as the other language: at least two of its function words, and more
    than of the page's own language."""
    words = WORDS.findall(text.lower())
    own, other = (ENGLISH, DUTCH) if lang == "en" else (DUTCH, ENGLISH)
    foreign = sum(word in other for word in words)
    return foreign >= 2 and foreign > sum(word in own for word in words)


def kind_of(path: str) -> str:
    return VARIABLE_PART.sub("/*", path)


def screenshot_name(path: str) -> str:
    """`/desk/vxhome/k/*/action/*/` as `desk-vxhome-k-x-action-x`."""
    return kind_of(path).strip("/").replace("/", "-").replace("*", "x") or "home"


@pytest.fixture
def site(transactional_db):
    """A small site with every kind of page: three seed organisations (a Dutch one with its sample
    complaints in every state), the platform with a published complaint, one waiting for screening
    and one handed to legal aid, a subscriber, a moderator and a legal advisor."""
    vxhome = seed_organisation("vxhome")
    staff = {suffix: User.objects.get(username=f"{suffix}@vxhome") for suffix, *_rest in demo.STAFF}
    demo._complaints(vxhome, next(item for item in demo.ORGANISATIONS if item.slug == "vxhome"), staff, random.Random(2026))
    seed_organisation("welzo")
    seed_organisation("webshop-board")
    company = email_only_company(name="Zeepwinkel")
    sanne = consumer_account("sanne", subscriber=True)
    handed = platform_complaint(company, consumer=sanne, days_ago=31)
    closing.close_unanswered(handed, by=Actor.consumer(handed))
    legalaid.hand_to_legal_aid(Complaint.objects.get(pk=handed.pk), by=Actor.consumer(handed), question="Kan ik mijn geld terugkrijgen?")
    published = platform_complaint(company, consumer=sanne, days_ago=2)
    Complaint.objects.filter(pk=published.pk).update(publication=Publication.PUBLISHED)
    platform_complaint(company, days_ago=1)
    moderator("mona")
    legal_advisor("lotte")
    tracked = Complaint.objects.filter(organisation=vxhome, status=Status.CLOSED).order_by("id").first()
    return {"tracking": tracking_url(tracked)}


def entry_points(site) -> list[tuple[str, str | None, str]]:
    """(role, username to log in as, first page) of every kind of person the pages serve."""
    return [
        ("consumer", None, "/"),
        ("tracking", None, urlsplit(site["tracking"]).path),
        ("account", "sanne", "/account/"),
        ("admin", "ada@vxhome", "/desk/"),
        ("agent", "alice@vxhome", "/desk/vxhome/"),
        ("manager", "manon@vxhome", "/desk/vxhome/"),
        ("board", "bert@webshop-board", "/desk/webshop-board/"),
        ("english-organisation", "manon@welzo", "/desk/welzo/"),
        ("triage", "alice@vxhome", "/desk/vxhome/triage/"),
        ("moderator", "mona", "/moderatie/"),
        ("legal-aid", "lotte", "/rechtshulp/"),
    ]


# Forms whose error state people see: the page, and the button that sends the form empty.
ERROR_STATES = [
    ("consumer", "/o/vxhome/klacht/", "form.portal-form button[type=submit]"),
    ("consumer", "/volgen/", "main form button[type=submit]"),
    ("consumer", "/account/inloggen/", "main form button[type=submit]"),
    ("consumer", "/accounts/login/", "main form button[type=submit]"),
]


class Crawl:
    """One language's walk over the site, collecting what is wrong on each page."""

    def __init__(self, chromium, base_url: str, lang: str, shots: Path):
        self.chromium, self.base_url, self.lang, self.shots = chromium, base_url, lang, shots
        self.seen_kinds: set[str] = set()
        self.problems: list[str] = []
        self.visited: list[str] = []

    def context(self, username: str | None):
        context = self.chromium.new_context(base_url=self.base_url, locale=LOCALES[self.lang], viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        # An init script, since the pages' content security policy rightly refuses an injected one.
        context.add_init_script(path=AXE)
        if username:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.base_url}])
        return context

    def walk(self, role: str, username: str | None, start: str) -> None:
        context = self.context(username)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self._console(page, message.text))
        queue, queued, done = deque([start]), {start}, 0
        while queue and done < PAGES_PER_ROLE:
            path = queue.popleft()
            response = page.goto(path)
            if response is None or response.status >= 400:
                self.problems.append(f"{role}: {path} answered {response.status if response else 'nothing'}")
                continue
            here = urlsplit(page.url).path
            if kind_of(here) not in self.seen_kinds:
                self.seen_kinds.add(kind_of(here))
                self.check(page, f"{role}-{screenshot_name(here)}")
                done += 1
            for link in page.eval_on_selector_all("a[href]", "links => links.map((link) => link.getAttribute('href'))"):
                target = urlsplit(urljoin(page.url, link))
                if target.netloc != urlsplit(self.base_url).netloc or SKIPPED.search(target.path):
                    continue
                if target.path not in queued and kind_of(target.path) not in self.seen_kinds:
                    queued.add(target.path)
                    queue.append(target.path)
        context.close()

    def error_state(self, role: str, path: str, button: str) -> None:
        context = self.context(None)
        page = context.new_page()
        page.goto(path)
        page.eval_on_selector_all("form", "forms => forms.forEach((form) => form.noValidate = true)")
        page.locator(button).first.click()
        page.wait_for_load_state()
        self.check(page, f"{role}-errors-{screenshot_name(path)}")
        context.close()

    def check(self, page, name: str) -> None:
        where = urlsplit(page.url).path
        self.visited.append(where)
        if page.evaluate("document.documentElement.lang") != self.lang:
            self.problems.append(f"{where}: <html lang> is not {self.lang}")
        for text in page.evaluate(PAGE_TEXTS):
            if wrong_language(text, self.lang):
                self.problems.append(f"{where}: not in {self.lang}: {text[:160]!r}")
        for violation in page.evaluate(RUN_AXE):
            if violation["impact"] in BLOCKING_IMPACTS:
                self.problems.append(
                    f"{where}: axe {violation['impact']} {violation['id']} ({violation['help']}) at {violation['targets']}"
                )
        page.screenshot(path=self.shots / f"{name}.png", animations="disabled")

    def _console(self, page, text: str) -> None:
        if "favicon.ico" not in text:
            self.problems.append(f"{page.url}: console error {text}")


def test_every_page_is_accessible_and_speaks_one_language(chromium, live_server, site, request):
    problems, visited = [], {}
    for lang in ("nl", "en"):  # one data set for both: loading it is the slow part
        shots = screenshot_folder(request.config) / lang / "every-page"
        shots.mkdir(parents=True, exist_ok=True)
        crawl = Crawl(chromium, live_server.url, lang, shots)
        for role, username, start in entry_points(site):
            crawl.walk(role, username, start)
        for role, path, button in ERROR_STATES:
            crawl.error_state(role, path, button)
        problems += crawl.problems
        visited[lang] = crawl.visited

    for lang, pages in visited.items():
        assert len(pages) >= 30, (lang, pages)  # the crawl reached the pages, not just the doors
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text, lang, wrong",
    [
        ("Your complaint has been received and we will answer", "nl", True),
        ("Uw klacht is ontvangen en we antwoorden binnen 14 dagen", "en", True),
        ("Uw klacht is ontvangen en we antwoorden binnen 14 dagen", "nl", False),
        ("De Geschillencommissie (the Dutch disputes committee)", "en", False),
        ("Boxspring Oslo 160x200 eiken", "en", False),
    ],
)
@pytest.mark.django_db  # the package's autouse fixture clears the cache, kept in the database
def test_the_language_check_tells_the_languages_apart(text, lang, wrong):
    assert wrong_language(text, lang) is wrong
