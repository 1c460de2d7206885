"""The seed data in fixtures/ loads, is complete, and says what the facts say."""

import csv
import filecmp
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Count, Q, URLField

from collection.history import tracked_models
from opendata.collections import COLLECTIONS, seed_directory
from outreach.models import Edition, Event, Outcome
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Office,
    Party,
    Source,
)
from registry.models.status import Status
from tests.helpers import seed_module

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "fixtures" / "source"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]


def facts(name):
    with open(FACTS / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def agreement_facts():
    """The rows of both readings of the agreements (agreements.csv, more_agreements.csv)."""
    return [*facts("agreements.csv"), *facts("more_agreements.csv")]


# Stated by A037's own row ("renewed 2016-07-12"), recorded without a row of its own.
ST_PAUL = "OSHA Region 5 alliance with the Consulate of Mexico in St. Paul, Minnesota"
ST_PAUL_RENEWAL = f"{ST_PAUL} (renewal)"


def research_agreements():
    """The agreements the fourth reading adds (the records it gives a title)."""
    return {row["record"] for row in research_rows() if row["fact"] == "title"}


def test_every_agreement_in_the_facts_is_loaded():
    assert len(facts("agreements.csv")) == 138
    assert len(facts("more_agreements.csv")) == 24
    added = research_agreements()
    assert Agreement.objects.count() == 138 + 24 + 1 + len(added)
    earlier = Agreement.objects.exclude(slug__in=added)
    titles = set(earlier.values_list("title_en", flat=True))
    assert titles == {row["title"] for row in agreement_facts()} | {ST_PAUL_RENEWAL}
    assert (
        set(Agreement.objects.filter(slug__in=added).values_list("slug", flat=True))
        == added
    )


def test_every_office_in_the_facts_is_loaded_with_its_city():
    names = set(Office.objects.values_list("name", "city__name"))
    for row in facts("consulates.csv"):
        assert (row["office_name"], row["city"]) in names


def test_every_agreement_has_a_party_and_exactly_one_primary_source():
    counted = Agreement.objects.annotate(
        parties_count=Count("parties", distinct=True),
        primary=Count("citations", filter=Q(citations__is_primary=True), distinct=True),
    )
    assert not counted.filter(parties_count=0).exists()
    assert set(counted.values_list("primary", flat=True)) == {1}
    primary_urls = set(
        AgreementSource.objects.filter(is_primary=True)
        .exclude(agreement__slug__in=research_agreements())
        .values_list("source__url", flat=True)
    )
    archived = seed_module("research").original_address
    assert primary_urls == {
        archived(row["source_url"]) or row["source_url"] for row in agreement_facts()
    }


def test_the_arizona_alliance_is_one_agreement_with_five_consulates():
    alliance = Agreement.objects.get(
        title_en="OSHA Phoenix Area Office alliance with the Mexican consulates in Arizona"
    )
    foreign = alliance.parties.filter(side=Party.Side.FOREIGN).select_related(
        "office__city"
    )
    assert sorted(p.office.city.name for p in foreign) == [
        "Douglas",
        "Nogales",
        "Phoenix",
        "Tucson",
        "Yuma",
    ]
    assert alliance.kind == Agreement.Kind.ALLIANCE
    assert alliance.signed.iso() == "2012-04-27"
    # The research article's 1 June 2010 is the national letter the alliance cites.
    assert alliance.framework.signed.iso() == "2010-06-01"
    assert alliance.framework.kind == Agreement.Kind.LOA


def test_the_2004_package_is_a_joint_declaration_and_two_letters():
    declaration = Agreement.objects.get(signed_on=date(2004, 7, 21), kind="declaration")
    letters = declaration.local_agreements.all()
    assert {letter.kind for letter in letters} == {Agreement.Kind.LOA}
    assert {letter.signed_on for letter in letters} == {date(2004, 7, 21)}
    assert {
        p.agency.acronym for letter in letters for p in letter.parties.filter(side="us")
    } == {
        "WHD",
        "OSHA",
    }


def test_vague_parties_are_the_agency_not_an_invented_office():
    letter = Agreement.objects.get(slug="2004-osha-mx-sre-loa")
    foreign = letter.parties.get(side=Party.Side.FOREIGN)
    assert foreign.office is None
    assert foreign.agency.acronym == "SRE"


def test_labor_rights_week_editions_are_numbered_from_2009():
    editions = list(Edition.objects.order_by("year"))
    assert editions[0].year == 2009 and editions[0].number == 1
    assert all(edition.number == edition.year - 2008 for edition in editions)
    first = editions[0]
    assert (first.starts_on, first.ends_on) == (date(2009, 8, 31), date(2009, 9, 4))
    # Sources disagree on how many consulates took part in 2009: all are kept.
    assert sorted(o.value for o in first.outcomes.filter(metric="consulates")) == [
        11,
        13,
        14,
        15,
    ]


def research_dates():
    """The signing dates the fourth reading (research/*.csv) read, by agreement:
    the most precise one first."""
    dates: dict[str, list[str]] = {}
    for row in research_rows():
        if row["fact"] == "signed_on":
            dates.setdefault(row["record"], []).append(row["value"])
    return {slug: max(values, key=len) for slug, values in dates.items()}


def research_rows():
    module = seed_module("research")
    return module.read_rows(FACTS / "research")


def test_unknown_dates_stay_unknown_and_partial_dates_keep_their_precision():
    by_title = {row["title"]: row for row in agreement_facts()}
    read = research_dates()
    for agreement in Agreement.objects.exclude(title_en=ST_PAUL_RENEWAL):
        earlier = by_title.get(agreement.title_en, {}).get("date_signed", "")
        later = read.get(agreement.slug, "")
        # A later reading may only make a date more precise, or give one.
        expected = later if len(later) > len(earlier) else earlier
        assert agreement.signed.iso() == expected, agreement.slug
        assert agreement.title_en in by_title or agreement.slug in read or not expected


def test_every_event_and_edition_has_a_source_and_cancelled_events_stay():
    assert not Event.objects.filter(sources=None).exists()
    assert not Edition.objects.filter(sources=None).exists()
    assert Event.objects.filter(
        status=Event.Status.CANCELLED, is_published=True
    ).exists()
    chicago = Event.objects.get(slug="2017-chicago-labor-rights-week")
    assert {t.slug for t in chicago.topics.all()} >= {"sexual-harassment"}


def test_sources_carry_the_facts_reliability_ratings():
    assert (
        Source.objects.get(url__startswith="http://founderscode.com").reliability
        == "low"
    )
    assert Source.objects.filter(url__contains="dol.gov", reliability="high").exists()


def test_the_fixtures_are_rebuilt_identically_from_the_facts(tmp_path):
    subprocess.run(  # noqa: S603 (our own script, run with this interpreter)
        [sys.executable, str(FACTS / "build.py"), str(tmp_path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for collection in COLLECTIONS:
        name = f"{collection}.csv"
        assert filecmp.cmp(tmp_path / name, seed_directory() / name, shallow=False), (
            name
        )


def test_curators_see_the_arizona_alliance_and_the_2004_package_in_the_admin(
    admin_client,
):
    alliance = Agreement.objects.get(slug="2012-osha-phoenix-mx-phoenix-alliance")
    page = admin_client.get(
        f"/admin/registry/agreement/{alliance.pk}/change/"
    ).content.decode()
    for city in ("Phoenix", "Nogales", "Tucson", "Yuma", "Douglas"):
        assert f"Mexico in {city}" in page
    declaration = Agreement.objects.get(slug="2004-dol-mx-sre-declaration")
    page = admin_client.get(
        f"/admin/registry/agreement/{declaration.pk}/change/"
    ).content.decode()
    assert "Letter of Agreement between DOL Wage and Hour Division and SRE" in page
    assert "Letter of Agreement between OSHA and SRE" in page
    editions = admin_client.get("/admin/outreach/edition/").content.decode()
    assert "2009" in editions and "2024" in editions


def test_every_public_page_of_the_seed_data_answers(client):
    pages = [
        *Agreement.objects.published(),
        *Office.objects.all(),
        *City.objects.all(),
        *Agency.objects.all(),
        *Edition.objects.all(),
        *Event.objects.published(),
    ]
    for path in ["/", "/es/", *(page.get_absolute_url() for page in pages)]:
        assert client.get(path).status_code == 200, path


# The third reading (fixtures/source/more_*.csv) -------------------------------


def test_the_new_jersey_memorandum_is_dated_to_the_day():
    memorandum = Agreement.objects.get(
        title_en__startswith="New Jersey Department of Labor and Workforce Development"
    )
    assert memorandum.signed.iso() == "2025-11-06"
    assert memorandum.signed_on_precision == "day"
    assert memorandum.kind == Agreement.Kind.MOU
    assert memorandum.is_published
    # Sources disagree on the weekday: the conflict is kept in the date note.
    assert "martes" in memorandum.signed_on_note
    parties = {
        (
            party.agency.slug if party.agency else "",
            party.office.slug if party.office else "",
        )
        for party in memorandum.parties.select_related("agency", "office")
    }
    assert parties == {("nj-dol", ""), ("", "mx-consulate-new-brunswick")}
    # No term is stated, so none is recorded.
    assert memorandum.term_months is None
    assert memorandum.status_on(date(2026, 1, 1)) == Status.UNKNOWN
    urls = set(memorandum.sources.values_list("url", flat=True))
    assert len(urls) == 5 and "https://choosenj.com/?p=53679" in urls


def test_the_new_mexico_memorandum_keeps_its_month_and_its_two_year_term():
    memorandum = Agreement.objects.get(
        title_en__startswith="New Mexico Department of Workforce Solutions"
    )
    assert memorandum.signed.iso() == "2025-08"
    assert memorandum.signed_on_precision == "month"
    assert memorandum.term_months == 24
    assert memorandum.parties.filter(office__slug="mx-consulate-albuquerque").exists()
    assert memorandum.parties.filter(agency__slug="nm-dws").exists()


def test_the_third_readings_renewals_are_chained():
    atlanta = Agreement.objects.get(
        title_en="OSHA Region IV alliance with the Consul General of Mexico in Atlanta "
        "and Georgia Tech"
    )
    chain = [agreement.signed.iso() for agreement in atlanta.renewal_chain()]
    assert chain == [
        "2004-12-07",
        "2013-08-30",
        "2015-08-31",
        "2017-09-01",
        "2019-08-26",
    ]
    chicago = Agreement.objects.get(slug="2024-osha-mx-chicago-alliance")
    assert chicago.renews.signed.iso() == "2013-08-26"
    denver = Agreement.objects.get(slug="2024-osha-denver-gt-denver-alliance")
    assert denver.framework.signed.iso() == "2022-05-10"


def test_rows_the_notes_say_not_to_use_yet_are_drafts():
    # "Date needed before use" (the WHD El Paso renewal).
    el_paso = Agreement.objects.get(
        title_en__startswith="WHD El Paso District Office - Consulate of Mexico"
    )
    assert not el_paso.is_published and "draft" in el_paso.note
    drafts = set(Event.objects.drafts().values_list("slug", flat=True))
    assert drafts == {
        "2013-new-york-osha-consulate-presentations",
        "2013-marion-consulate-on-wheels",
        "2013-new-brunswick-consulate-on-wheels",
        "2024-consulate-general-labor-rights-week-city-unknown",
    }


def test_the_new_events_are_loaded_in_their_editions():
    expected = {
        "2010-atlanta-workers-rights-week": 2010,
        "2014-san-diego-county-labor-rights-week": 2014,
        "2015-chicago-osha-outreach": 2015,
        "2016-houston-educational-sessions": 2016,
        "2019-portland-educational-sessions": 2019,
        "2020-laredo-online-labor-rights-week": 2020,
        "2020-salt-lake-city-phone-bank": 2020,
        "2022-atlanta-labor-rights-week": 2022,
        "2023-albuquerque-nmed-alliance-renewal": 2023,
        "2024-san-francisco-labor-rights-week": 2024,
    }
    events = Event.objects.filter(slug__in=expected).select_related("edition")
    assert {event.slug: event.edition.year for event in events} == expected
    chicago = Event.objects.get(slug="2015-chicago-osha-outreach")
    # The report prints 2014; the conflict is in the note.
    assert "2014" in chicago.note and chicago.local_start.date() == date(2015, 8, 31)
    # Every event's note quotes its source, as the research notes do.
    assert "“" in Event.objects.get(slug="2023-albuquerque-nmed-alliance-renewal").note
    # The sources cover no edition after 2024, so there is none.
    assert not Edition.objects.filter(year__gt=2024).exists()


def test_the_2015_edition_has_its_only_reported_total():
    outcome = Outcome.objects.get(edition__year=2015, metric="people_reached")
    assert (outcome.qualifier, outcome.value) == ("more_than", 40000)
    assert outcome.source.url == "http://www.gob.mx/sre/prensa/29993"
    editions = {edition.year: edition for edition in Edition.objects.all()}
    assert editions[2014].theme_es == "Todos tenemos derechos en el trabajo"
    assert editions[2024].theme_en.startswith("Rights, health and working people")


# Corrections of the first seed -------------------------------------------------


def test_the_st_paul_alliance_renewal_of_2016_is_recorded():
    original = Agreement.objects.get(title_en=ST_PAUL)
    renewal = original.renewal
    assert renewal.title_en == ST_PAUL_RENEWAL
    assert renewal.signed.iso() == "2016-07-12"
    row = next(row for row in facts("agreements.csv") if row["title"] == ST_PAUL)
    assert row["term_or_expiry"] == "renewed 2016-07-12"
    assert renewal.citations.get(is_primary=True).source.url == row["source_url"]
    assert original.status_on(date(2017, 1, 1)) == Status.SUPERSEDED


def test_renewed_annually_is_not_a_stated_term():
    arkansas = Agreement.objects.get(
        title_en="Arkansas Department of Labor and Licensing - Mexican Consulate in "
        "Little Rock - OSHA alliance renewal"
    )
    assert arkansas.term_months is None and arkansas.expires_on is None
    assert "renewed annually" in arkansas.term_note
    assert arkansas.status_on(date(2024, 6, 1)) == Status.UNKNOWN


def test_an_event_is_held_only_when_a_source_reports_it():
    events = {event.slug: event for event in Event.objects.all()}
    for event in seed_module("outreach_curation").EVENTS:
        if event.get("status") == "cancelled":
            expected = Event.Status.CANCELLED
        elif event.get("reported"):
            expected = Event.Status.HELD
        else:
            expected = Event.Status.SCHEDULED
        assert events[event["slug"]].status == expected, event["slug"]
    # Past events whose sources only announce them ("next week", "there will be",
    # "se llevará a cabo", "to be held online", a list in the present tense, an
    # op-ed naming the week's participants in the future tense).
    for slug in (
        "2009-atlanta-labor-rights-week",
        "2013-bridgeport-labor-rights-event",
        "2014-san-diego-county-labor-rights-week",
        "2020-phoenix-labor-rights-week",
        "2020-laredo-online-labor-rights-week",
        "2020-salt-lake-city-phone-bank",
        "2021-kansas-city-meatpacking-session",
    ):
        assert events[slug].status == Event.Status.SCHEDULED, slug


# Every source of the research notes is kept ------------------------------------

# A column of the research notes that holds URLs: source_url, other_sources,
# kind_source_url, official_site_per_seed.
URL_COLUMN = re.compile(r"url|source|site")
URL = re.compile(r"https?://[^\s;]+")


def left_out(name, row):
    """Rows the READMEs and notes say not to publish: Labor Rights Week events whose
    year is not stated ("do not assign without the page date", "leave year empty";
    an event belongs to an edition), and contacts marked LOW ("keep them out of the
    public pages")."""
    if name == "more_lrw_events.csv":
        return row["kind"] == "event" and not row["year"]
    return name == "contacts.csv" and "LOW" in row.get("note", "")


def research_note_urls():
    for path in sorted(FACTS.glob("*.csv")):
        for number, row in enumerate(facts(path.name), start=2):
            if left_out(path.name, row):
                continue
            for column, value in row.items():
                if URL_COLUMN.search(column):
                    for url in URL.findall(value or ""):
                        yield url, f"{path.name}:{number} {column}"


def urls_attached_to_records():
    """Every URL a curated record holds: its sources (M2M or foreign key, through
    models included), a document's address, a website."""
    urls = set()
    for model in tracked_models():
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            if field.is_relation and field.related_model is Source:
                urls |= set(model.objects.values_list(f"{field.name}__url", flat=True))
                # A page read in a web archive: cited by its own address, the
                # archive's copy beside it.
                urls |= set(
                    model.objects.values_list(f"{field.name}__archive_url", flat=True)
                )
            elif isinstance(field, URLField) and model is not Source:
                urls |= set(model.objects.values_list(field.name, flat=True))
    return urls - {None, ""}


def test_every_url_in_the_research_notes_is_attached_to_a_record():
    attached = urls_attached_to_records()
    missing = sorted(
        f"{where}: {url}" for url, where in research_note_urls() if url not in attached
    )
    assert not missing, "\n".join(missing)


# Contacts (fixtures/source/contacts.csv, curated in contacts_curation.py) --------

CONTACT_LOW = re.compile(r"LOW|low[- ]reliability")  # the facts README's LOW rows
CONTACT_PHONE_KINDS = {"main_phone", "protection_line", "hotline"}
REDUCED_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def built(name):
    with open(seed_directory() / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def contact_facts():
    """contacts.csv's rows by line number."""
    return dict(enumerate(facts("contacts.csv"), start=2))


def contact_owners():
    """contacts.csv's office_id -> (office slug, agency slug): offices through
    office_ids.csv's line of consulates.csv, found in offices.csv by name and city."""
    from django.utils.text import slugify

    owners = {
        key: ("", slug)
        for key, slug in seed_module("contacts_curation").AGENCIES.items()
    }
    offices = {(o["name"], o["city"]): o["slug"] for o in built("offices.csv")}
    consulates = facts("consulates.csv")
    for row in facts("office_ids.csv"):
        office = consulates[int(row["consulates_csv_line"]) - 2]
        city = slugify(f"{office['city']} {office['state']}")
        owners[row["office_id"]] = (offices[(office["office_name"], city)], "")
    return owners


def contacts_of(fact, owners):
    """The contact records built from one row of contacts.csv."""
    office, agency = owners[fact["office_id"]]
    return [
        c
        for c in built("contacts.csv")
        if (c["office"], c["agency"]) == (office, agency)
        and c["source"] == fact["source_url"]
        and c["quote"] == fact["evidence"]
    ]


def test_every_contact_fact_is_a_contact_or_a_jurisdiction():
    owners = contact_owners()
    declared = seed_module("contacts_curation").JURISDICTIONS
    areas = {(j["office"], j["state"], j["county"]) for j in built("jurisdictions.csv")}
    agencies = {a["slug"] for a in built("agencies.csv")}
    offices = {o["slug"] for o in built("offices.csv")}
    for line, fact in contact_facts().items():
        office, agency = owners[fact["office_id"]]
        assert (office in offices) if office else (agency in agencies), line
        if fact["field"] != "jurisdiction":
            assert contacts_of(fact, owners), f"contacts.csv:{line} has no contact"
            continue
        office_id, rows = declared[line]
        assert office_id == fact["office_id"] and rows, line
        for row in rows:
            key = (office, row["state"].lower(), row["county"])
            assert key in areas, f"contacts.csv:{line} {key} is not a jurisdiction"
    # Every contact comes from a row: its source and quote are the row's.
    stated = {(f["source_url"], f["evidence"]) for f in contact_facts().values()}
    assert {(c["source"], c["quote"]) for c in built("contacts.csv")} <= stated


def test_no_low_contact_is_published():
    owners = contact_owners()
    low = [f for f in contact_facts().values() if CONTACT_LOW.search(f["note"])]
    assert len(low) == 21
    for fact in low:
        if fact["field"] == "jurisdiction":
            continue
        for contact in contacts_of(fact, owners):
            assert contact["is_published"] == "false", contact
            assert contact["standing"] == "lead", contact


def test_every_published_contact_is_current_sourced_and_dated():
    sources = {s["url"] for s in built("sources.csv")}
    contacts = built("contacts.csv")
    published = [c for c in contacts if c["is_published"] == "true"]
    assert published
    for contact in contacts:
        assert contact["is_published"] in {"true", "false"}
        assert contact["standing"] in {"current", "lead", "superseded", "also_stated"}
        assert bool(contact["office"]) != bool(contact["agency"]), contact
        assert contact["source"] in sources, contact
        assert REDUCED_ISO_DATE.fullmatch(contact["as_of"]), contact
    for contact in published:
        assert contact["standing"] == "current", contact
        assert contact["source"] and contact["as_of"], contact
    # One public value per owner, kind and value; the rest are kept for curators.
    keys = [(c["office"], c["agency"], c["kind"], c["value"]) for c in published]
    assert len(keys) == len(set(keys))


def test_every_contact_phone_is_a_valid_number_in_e164():
    import phonenumbers

    phones = [c for c in built("contacts.csv") if c["kind"] in CONTACT_PHONE_KINDS]
    assert phones
    for contact in phones:
        number = phonenumbers.parse(contact["value"], "US")
        assert phonenumbers.is_valid_number(number), contact["value"]
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        extension = f";ext={number.extension}" if number.extension else ""
        assert contact["value"] == e164 + extension


def test_the_sources_that_disagree_keep_both_values_and_publish_the_newest():
    contacts = built("contacts.csv")

    def standing(owner, value):
        return {
            (c["standing"], c["is_published"])
            for c in contacts
            if owner in (c["office"], c["agency"]) and c["value"] == value
        }

    assert ("current", "true") in standing("mx-sre", "+15206237874")
    assert standing("mx-sre", "+18554636395") == {("superseded", "false")}
    assert standing("nlrb", "+18447626572") == {("current", "true")}
    assert standing("nlrb", "+18666676572") == {("superseded", "false")}
    phoenix = "mx-consulate-phoenix"
    assert standing(
        phoenix, "320 E. McDowell Rd., Suite 105, Phoenix, Arizona, 85004"
    ) == {("current", "true")}
    assert standing(phoenix, "320 East McDowell Road, Suite 320, Phoenix") == {
        ("superseded", "false")
    }
    assert standing(
        "mx-consulate-houston", "4506 Caroline Street, Houston, TX 77004"
    ) == {("superseded", "false")}
    # Chicago's four unofficial emergency numbers: none is published.
    chicago = [
        c
        for c in contacts
        if c["office"] == "mx-consulate-chicago" and c["kind"] == "protection_line"
    ]
    assert len(chicago) == 4
    assert {(c["standing"], c["is_published"]) for c in chicago} == {("lead", "false")}


def test_the_2022_redistribution_moves_counties_between_consulates():
    areas = {
        (j["office"], j["state"], j["county"]): (j["valid_from"], j["valid_to"])
        for j in built("jurisdictions.csv")
    }
    moves = [
        ("mx-consulate-dallas", "mx-consulate-albuquerque", "tx", "Lubbock"),
        ("mx-consulate-dallas", "mx-consulate-albuquerque", "tx", "Deaf Smith"),
        ("mx-consulate-orlando", "mx-consulate-miami", "fl", "DeSoto"),
        ("mx-consulate-boise", "mx-consulate-las-vegas", "nv", "Elko"),
        ("mx-consulate-new-york", "mx-consulate-boston", "ct", ""),
    ]
    for losing, gaining, state, county in moves:
        assert areas[(losing, state, county)] == ("", "2022-05-31")
        assert areas[(gaining, state, county)] == ("2022-06-01", "")
    texas = [
        k
        for k, v in areas.items()
        if k[0] == "mx-consulate-albuquerque"
        and k[1] == "tx"
        and k[2]
        and v == ("2022-06-01", "")
    ]
    assert len(texas) == 36


def test_jurisdiction_counties_are_spelled_as_the_zipcodes_package_spells_them():
    import zipcodes

    names = {}
    for jurisdiction in built("jurisdictions.csv"):
        state, county = jurisdiction["state"].upper(), jurisdiction["county"]
        if not county:
            continue
        if state not in names:
            names[state] = {
                re.sub(
                    r" (County|Parish|Borough|Census Area|Municipality)$",
                    "",
                    z["county"],
                )
                for z in zipcodes.filter_by(state=state)
            }
        assert county in names[state], (state, county)
        assert jurisdiction["is_partial"] == "false", jurisdiction
