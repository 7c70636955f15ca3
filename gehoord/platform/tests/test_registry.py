"""The company registry: search keys and ranking, adding a company, verifying, merging duplicates."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Event, EventKind
from gehoord.errors import InvalidInput
from gehoord.organisations.models import Organisation
from gehoord.organisations.registry_keys import core_name, fold_name, registry_key, web_host
from gehoord.platform import registry
from gehoord.platform.models import CompanyMonth, CompanyScore
from gehoord.platform.registry import CompanyDetails, MergeRefused
from gehoord.policies.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English (the msgids), whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def carol(db):
    return get_user_model().objects.create_user(username="carol", email="carol@example.nl")


@pytest.fixture
def moderator_mo(db):
    return Actor.moderator(get_user_model().objects.create_user(username="mo", first_name="Mo"))


def company(slug, **fields):
    return make_organisation(slug, preset="platform", **fields)


# The keys


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("BE 0403.170.701", "0403170701"),
        ("0403170701", "0403170701"),
        ("KvK 1234 5678", "12345678"),
        ("KBO-nr. 0403.170.701", "0403170701"),
        ("Bakkerij Jansen", ""),
        ("12-34-56-78", "12345678"),
        ("NL12345678", "12345678"),
        ("SC123456", "SC123456"),  # Companies House: the letters are part of the number
        ("bol.com", ""),
        ("", ""),
    ],
)
def test_a_registry_id_is_compared_without_separators_or_country_code(typed, key):
    assert registry_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("https://www.Bol.com/nl/klantenservice", "bol.com"),
        ("www.bol.com", "bol.com"),
        ("bol.com", "bol.com"),
        ("http://shop.example.be:8080/", "shop.example.be"),
        ("Bakkerij Jansen", ""),
        ("localhost", ""),
    ],
)
def test_a_website_is_compared_by_its_host(typed, host):
    assert web_host(typed) == host


def test_a_name_folds_case_accents_and_punctuation_and_its_core_drops_the_legal_form():
    assert fold_name("  Café  Dé Zwaan, B.V. ") == "cafe de zwaan b v"
    assert core_name("Bol.com B.V.") == "bol com"
    assert core_name("Ørsted A/S") == "orsted as"
    assert core_name("Coolblue BV") == "coolblue"
    assert core_name("BV") == "bv"  # a name that is only a legal form keeps it


def test_save_keeps_the_search_keys_even_when_saving_some_fields():
    entry = company("zwaan", name="Café de Zwaan", website="https://www.zwaan.nl", registration_number="NL 1234.5678")
    assert (entry.search_name, entry.search_host, entry.search_registry_id) == ("cafe de zwaan", "zwaan.nl", "12345678")
    entry.name = "Zwaan Horeca"
    entry.save(update_fields=["name"])
    assert Organisation.objects.get(pk=entry.pk).search_name == "zwaan horeca"


# Search


def test_search_ranks_an_exact_registry_id_or_host_first_then_name_prefix_then_name_contains():
    contains = company("deco-home", name="Deco Home Store")
    prefix = company("home24", name="Home24")
    by_host = company("wonen", name="Wonen BV", website="https://www.home.nl")
    assert list(registry.search("home")) == [prefix, contains]
    assert list(registry.search("www.home.nl/contact")) == [by_host]
    by_id = company("ikea", name="IKEA", registration_number="BE 0403.170.701")
    numbered = company("n0403", name="0403170701 Trading")
    assert list(registry.search("0403170701")) == [by_id, numbered]
    assert list(registry.search("BE0403 170 701")) == [by_id]


def test_search_ignores_case_accents_and_punctuation():
    entry = company("cafe", name="Café Dé Zwaan")
    assert list(registry.search("cafe de ZWAAN")) == [entry]
    assert list(registry.search("dé zwa")) == [entry]


def test_search_lists_only_entries_in_the_registry(moderator_mo):
    kept = company("kept", name="Bakkerij Jansen")
    gone = company("gone", name="Bakkerij Jansen BV")
    registry.merge(gone, kept, by=moderator_mo)
    assert list(registry.search("bakkerij")) == [kept]


def test_a_short_query_matches_name_prefixes_only_and_nothing_typed_matches_nothing():
    ah = company("ah", name="AH Winkel")
    company("bah", name="Bah BV")
    assert list(registry.search("ah")) == [ah]
    assert list(registry.search("  ")) == []
    assert list(registry.search("!!!")) == []
    assert list(registry.search("x" * 10_000)) == []


# Adding


def test_a_consumer_adds_an_unverified_email_only_company_under_the_platform_procedure(carol):
    entry = registry.add(
        CompanyDetails(name="  Fietsenwinkel   De Spaak ", complaint_email="Klachten@DeSpaak.nl", website="despaak.nl",
                       registration_number="8765.4321", country="BE"),
        by=carol,
    )
    assert (entry.name, entry.slug, entry.complaint_email, entry.website) == (
        "Fietsenwinkel De Spaak", "fietsenwinkel-de-spaak", "klachten@despaak.nl", "https://despaak.nl"
    )
    assert (entry.verified, entry.connected, entry.added_by, entry.time_zone) == (False, False, carol, "Europe/Brussels")
    assert PolicyVersion.objects.current(entry).preset == "platform"
    assert entry.search_registry_id == "87654321"


def test_slugs_never_collide_with_each_other_or_with_the_fixed_paths(carol):
    first = registry.add(CompanyDetails(name="Toevoegen", complaint_email="a@toevoegen.nl"), by=carol)
    second = registry.add(CompanyDetails(name="Toevoegen", complaint_email="b@toevoegen.nl"), by=carol)
    assert (first.slug, second.slug) == ("toevoegen-bedrijf", "toevoegen-bedrijf-2")
    accents = registry.add(CompanyDetails(name="Ørsted Énergie", complaint_email="c@orsted.be"), by=carol)
    assert accents.slug == "orsted-energie"
    long_name = registry.add(CompanyDetails(name="Lange Naam " * 15, complaint_email="d@lang.nl"), by=carol)
    assert len(long_name.slug) <= registry.SLUG_LENGTH and long_name.slug.startswith("lange-naam-lange-naam")


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (CompanyDetails(name="", complaint_email="a@b.nl"), "name"),
        (CompanyDetails(name="<>  !!", complaint_email="a@b.nl"), "name"),
        (CompanyDetails(name="x" * 201, complaint_email="a@b.nl"), "name"),
        (CompanyDetails(name="Shop", complaint_email="root@[127.0.0.1]"), "complaint_email"),
        (CompanyDetails(name="Shop", complaint_email="root@localhost"), "complaint_email"),
        (CompanyDetails(name="Shop", complaint_email="not an address"), "complaint_email"),
        (CompanyDetails(name="Shop", complaint_email="a@b.nl", website="javascript:alert(1)"), "website"),
        (CompanyDetails(name="Shop", complaint_email="a@b.nl", website="http://10.0.0.1/"), "website"),
        (CompanyDetails(name="Shop", complaint_email="a@b.nl", registration_number="unknown"), "registration_number"),
        (CompanyDetails(name="Shop", complaint_email="a@b.nl", country="XX"), "country"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_added(carol, details, field):
    with pytest.raises(InvalidInput) as refused:
        registry.add(details, by=carol)
    assert field in refused.value.errors
    assert not Organisation.objects.exists()


def test_html_in_a_name_is_kept_as_text(carol):
    entry = registry.add(CompanyDetails(name="<b>Evil</b> Shop", complaint_email="a@evil.nl"), by=carol)
    assert entry.name == "<b>Evil</b> Shop" and entry.slug == "b-evil-b-shop"


def test_likely_duplicates_are_the_same_host_the_same_registry_id_or_a_similar_name():
    coolblue = company("coolblue", name="Coolblue B.V.", website="https://www.coolblue.nl")
    ikea = company("ikea", name="IKEA Belgium", registration_number="BE 0403.170.701")
    company("bakker", name="Bakker Bart")

    def found(**fields):
        return registry.likely_duplicates(CompanyDetails(complaint_email="x@y.nl", **{"name": "Nieuw", **fields}))

    assert found(name="Coolblue") == [coolblue]
    assert found(name="Coolblue Nederland BV") == [coolblue]
    assert found(website="coolblue.nl/service") == [coolblue]
    assert found(registration_number="0403170701") == [ikea]
    assert found(name="Something else") == []


def test_verify_confirms_an_entry(carol):
    entry = registry.add(CompanyDetails(name="Shop", complaint_email="a@shop.nl"), by=carol)
    registry.verify(entry)
    assert entry.verified and Organisation.objects.get(pk=entry.pk).verified


def test_a_moderator_edits_every_field_and_the_keys_follow():
    entry = company("shop", name="Shop")
    registry.edit(
        entry, CompanyDetails(name="Shop Two", complaint_email="k@two.nl", website="two.nl", registration_number="1234",
                              country="GB", contact_person="Pat"), verified=True,
    )
    stored = Organisation.objects.get(pk=entry.pk)
    assert (stored.name, stored.search_name, stored.search_host, stored.country, stored.contact_person, stored.verified) == (
        "Shop Two", "shop two", "two.nl", "GB", "Pat", True
    )
    with pytest.raises(InvalidInput):
        registry.edit(entry, CompanyDetails(name="Shop", complaint_email="k@[10.0.0.1]"), verified=True)
    assert Organisation.objects.get(pk=entry.pk).complaint_email == "k@two.nl"


# Merging


def test_merge_moves_every_complaint_with_its_history_and_records_the_move(moderator_mo):
    survivor = company("coolblue", name="Coolblue")
    duplicate = company("coolblue-bv", name="Coolblue BV")
    moved = [carol_complaint(duplicate, contact_email=f"c{n}@example.nl") for n in range(3)]
    kept = carol_complaint(survivor)
    deadlines_before = {c.pk: list(c.deadlines.values_list("pk", flat=True)) for c in moved}
    events_before = {c.pk: c.events.count() for c in moved}
    CompanyScore.objects.create(organisation=duplicate, period_start="2026-01-01", period_end="2026-12-01",
                                computed_at="2026-12-01T00:00Z")
    CompanyMonth.objects.create(organisation=duplicate, month="2026-11-01")
    CompanyMonth.objects.create(organisation=survivor, month="2026-11-01")

    assert registry.merge(duplicate, survivor, by=moderator_mo) == 3

    for complaint in moved:
        complaint.refresh_from_db()
        assert complaint.organisation == survivor
        assert list(complaint.deadlines.values_list("pk", flat=True)) == deadlines_before[complaint.pk]
        assert complaint.events.count() == events_before[complaint.pk] + 1
        event = complaint.events.get(kind=EventKind.MOVED)
        assert event.data == {"from_organisation": "Coolblue BV", "to_organisation": "Coolblue"}
        assert event.actor_label == "Mo"
    kept.refresh_from_db()
    assert kept.organisation == survivor
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert not CompanyScore.objects.filter(organisation=duplicate).exists()
    assert not CompanyMonth.objects.filter(organisation=duplicate).exists()
    assert CompanyMonth.objects.filter(organisation=survivor).exists()
    assert Event.objects.filter(kind=EventKind.MOVED).count() == 3


def test_entries_merged_into_the_duplicate_follow_it(moderator_mo):
    survivor, middle, oldest = company("a", name="A"), company("b", name="B"), company("c", name="C")
    registry.merge(oldest, middle, by=moderator_mo)
    registry.merge(middle, survivor, by=moderator_mo)
    assert Organisation.objects.get(pk=oldest.pk).merged_into == survivor


def test_merge_refuses_itself_a_merged_entry_and_two_connected_companies(moderator_mo):
    first, second, third = company("a", name="A"), company("b", name="B"), company("c", name="C")
    complaint = carol_complaint(first)
    with pytest.raises(MergeRefused, match="itself"):
        registry.merge(first, first, by=moderator_mo)
    registry.merge(third, second, by=moderator_mo)
    with pytest.raises(MergeRefused, match="merged into another entry"):
        registry.merge(first, third, by=moderator_mo)
    with pytest.raises(MergeRefused, match="merged already"):
        registry.merge(third, first, by=moderator_mo)
    Organisation.objects.filter(pk__in=[first.pk, second.pk]).update(connected=True)
    with pytest.raises(MergeRefused, match="Both entries are connected"):
        registry.merge(first, second, by=moderator_mo)
    Organisation.objects.filter(pk=second.pk).update(connected=False)
    with pytest.raises(MergeRefused, match="merge the other entry into it"):
        registry.merge(first, second, by=moderator_mo)
    complaint.refresh_from_db()
    assert complaint.organisation == first
    assert Organisation.objects.get(pk=first.pk).merged_into is None
    assert not Event.objects.filter(kind=EventKind.MOVED).exists()


def test_merge_refuses_entries_whose_complaints_share_a_reference(moderator_mo):
    first, second = company("a", name="A"), company("b", name="B")
    one = carol_complaint(first)
    other = carol_complaint(second)
    type(other).objects.filter(pk=other.pk).update(reference=one.reference)
    with pytest.raises(MergeRefused, match=one.reference):
        registry.merge(second, first, by=moderator_mo)
    assert Organisation.objects.get(pk=second.pk).merged_into is None


def test_the_same_consumer_adding_the_same_company_twice_gets_one_entry(carol):
    details = CompanyDetails(name="Shop", complaint_email="a@shop.nl")
    assert registry.add(details, by=carol) == registry.add(CompanyDetails(name="SHOP ", complaint_email="A@shop.nl"), by=carol)
    assert Organisation.objects.count() == 1


def test_pages_of_a_search_run_on_from_one_rank_to_the_next():
    by_id = company("x-ids", name="Zeta Trading", registration_number="77001234")
    prefixes = [company(f"p{n}", name=f"77001234 Winkel {n}") for n in range(3)]
    contains = [company(f"c{n}", name=f"Shop {n} 77001234") for n in range(3)]
    results = registry.search("77001234")
    assert results.count() == 7 and not results.capped
    ordered = [by_id, *prefixes, *contains]
    assert [results[start : start + 2] for start in range(0, 7, 2)] == [ordered[i : i + 2] for i in range(0, 7, 2)]
    assert results[5:50] == ordered[5:]


def test_a_search_counts_its_hits_up_to_a_cap():
    cap = registry.RankedResults.COUNT_CAP
    entries = [Organisation(name=f"Kapper {n}", slug=f"kapper-{n}") for n in range(cap + 5)]
    for entry in entries:
        entry.fill_search_keys()
    Organisation.objects.bulk_create(entries)
    results = registry.search("kapper")
    assert results.count() == cap and results.capped
    assert [entry.name for entry in results[cap - 1 : cap + 10]] == [sorted(f"kapper {n}" for n in range(cap + 5))[cap - 1].capitalize()]


def test_merge_moves_thousands_of_complaints_each_with_its_event(moderator_mo):
    survivor, duplicate = company("big", name="Big"), company("big-bv", name="Big BV")
    first = carol_complaint(duplicate)
    count = registry.MERGE_BATCH + 100
    Complaint.objects.bulk_create(
        Complaint(
            organisation=duplicate, public_id=f"BULK{n:06}", reference=f"KL-BULK-{n:06}", channel=first.channel,
            description="Bulk", contact_name="Bulk", policy=first.policy, received_at=first.received_at, platform=True,
        )
        for n in range(count - 1)
    )
    assert registry.merge(duplicate, survivor, by=moderator_mo) == count
    assert not Complaint.objects.filter(organisation=duplicate).exists()
    assert Complaint.objects.filter(organisation=survivor).count() == count
    moved_events = Event.objects.filter(kind=EventKind.MOVED)
    assert moved_events.count() == count and moved_events.values("complaint").distinct().count() == count
