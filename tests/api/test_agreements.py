"""/api/v1/agreements/: filters, drafts, embedded parties and status, writes."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from registry.dates import add_months
from registry.models import Agreement, Party
from tests import factories as f

pytestmark = pytest.mark.django_db

# Signed two years and 30 days ago, for two years: expiring in 30 days, whenever the
# tests run.
SIGNED = add_months(timezone.localdate(), -24) + timedelta(days=30)

URL = "/api/v1/agreements/"


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


@pytest.fixture
def world():
    """Two agreements that differ on every filter."""
    texas = f.StateFactory(code="TX", slug="tx", name="Texas")
    arizona = f.StateFactory(code="AZ", slug="az", name="Arizona")
    houston = f.CityFactory(name="Houston", slug="houston-tx", state=texas)
    phoenix = f.CityFactory(name="Phoenix", slug="phoenix-az", state=arizona)
    mexico = f.CountryFactory(code="mx", name_en="Mexico", name_es="México")
    f.CountryFactory(code="gt", name_en="Guatemala", name_es="Guatemala")
    dol = f.AgencyFactory(slug="dol")
    whd = f.AgencyFactory(slug="dol-whd", parent=dol)
    osha = f.AgencyFactory(slug="dol-osha", parent=dol)
    sre = f.ForeignAgencyFactory(slug="mx-sre", country=mexico)
    national = f.AgreementFactory(
        slug="national", kind="loa", scope="national", signed_on=date(2010, 6, 1)
    )
    houston_loa = f.AgreementFactory(
        slug="houston-loa",
        title_en="WHD Houston letter",
        kind="loa",
        scope="local",
        signed_on=SIGNED,
        term_months=24,
        framework=national,
        summary_en="Wages and overtime",
    )
    phoenix_alliance = f.AgreementFactory(
        slug="phoenix-alliance",
        title_en="OSHA Phoenix alliance",
        kind="alliance",
        scope="local",
        signed_on=date(2012, 4, 27),
        framework=national,
    )
    whd_houston = f.OfficeFactory(slug="dol-whd-houston", agency=whd, city=houston)
    consulate_houston = f.ConsulateFactory(
        slug="mx-consulate-houston", agency=sre, city=houston
    )
    osha_phoenix = f.OfficeFactory(slug="dol-osha-phoenix", agency=osha, city=phoenix)
    f.PartyFactory(
        agreement=houston_loa, office=whd_houston, signer_name="Robin Mallett"
    )
    f.PartyFactory(agreement=houston_loa, office=consulate_houston, side="foreign")
    f.PartyFactory(agreement=phoenix_alliance, office=osha_phoenix)
    f.PartyFactory(agreement=national, office=None, agency=sre, side="foreign")
    houston_loa.laws.add(f.LawFactory(slug="flsa", short_name="FLSA"))
    phoenix_alliance.topics.add(f.TopicFactory(slug="heat"))
    return locals()


GOOD = {
    "city": ("houston-tx", ["houston-loa"]),
    "state": ("az", ["phoenix-alliance"]),
    "agency": ("dol", ["houston-loa", "phoenix-alliance"]),
    "office": ("dol-osha-phoenix", ["phoenix-alliance"]),
    "country": ("mx", ["houston-loa", "national"]),
    "kind": ("alliance", ["phoenix-alliance"]),
    "scope": ("national", ["national"]),
    "status": ("expiring", ["houston-loa"]),
    "signed_after": ("2012-01-01", ["houston-loa", "phoenix-alliance"]),
    "signed_before": ("2011-01-01", ["national"]),
    "expires_before": ("2030-01-01", ["houston-loa"]),
    "framework": ("national", ["houston-loa", "phoenix-alliance"]),
    "law": ("flsa", ["houston-loa"]),
    "topic": ("heat", ["phoenix-alliance"]),
    "q": ("overtime", ["houston-loa"]),
}


@pytest.mark.parametrize("name", GOOD)
def test_every_filter(api, world, name):
    value, expected = GOOD[name]
    assert slugs(api.get(URL, {name: value})) == expected


def test_filters_combine_and_q_searches_signers_and_agencies(api, world):
    assert slugs(
        api.get(URL, {"country": "mx", "kind": "loa", "signed_after": "2020-01-01"})
    ) == ["houston-loa"]
    assert slugs(api.get(URL, {"q": "Mallett"})) == ["houston-loa"]
    assert slugs(api.get(URL, {"agency": "dol-whd", "q": "alliance"})) == []


BAD = {
    "city": "nowhere-xx", "state": "zz", "agency": "no-agency", "office": "no-office",
    "country": "xx", "kind": "treaty", "scope": "galactic", "status": "alive",
    "signed_after": "2010-13-01", "signed_before": "yesterday", "expires_before": "2030",
    "framework": "no-such-agreement", "law": "no-law", "topic": "no-topic",
    "updated_since": "not-a-date", "published": "perhaps",
}  # fmt: skip


@pytest.mark.parametrize("name", BAD)
def test_a_bad_value_of_every_filter_is_a_400_naming_it(api, world, name):
    response = api.get(URL, {name: BAD[name]})
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_an_agreement_embeds_its_parties_and_derived_status(api, world):
    data = api.get(f"{URL}houston-loa/").json()
    assert data["status"] == "expiring" or data["status"] in dict(
        Agreement.Status.choices
    )
    assert (
        data["signed_on"] == SIGNED.isoformat() and data["signed_on_precision"] == "day"
    )
    assert data["expires"] == add_months(SIGNED, 24).isoformat()
    us, foreign = data["parties"]
    assert us["office"]["slug"] == "dol-whd-houston" and us["office"]["name"]
    assert us["agency"]["slug"] == "dol-whd" and us["signer_name"] == "Robin Mallett"
    assert foreign["side"] == "foreign" and foreign["agency"]["slug"] == "mx-sre"
    assert data["framework"]["slug"] == "national"
    assert data["framework"]["url"].endswith("/api/v1/agreements/national/")
    national = api.get(f"{URL}national/").json()
    assert national["parties"][0]["office"] is None
    assert national["parties"][0]["agency"]["slug"] == "mx-sre"


def test_partial_dates_keep_their_precision(api):
    f.AgreementFactory(
        slug="m", signed_on=date(2011, 11, 1), signed_on_precision="month"
    )
    f.AgreementFactory(
        slug="i",
        signed_on=date(2014, 10, 22),
        signed_on_end=date(2014, 10, 23),
        signed_on_precision="interval",
        term_months=12,
    )
    assert api.get(f"{URL}m/").json()["signed_on"] == "2011-11"
    interval = api.get(f"{URL}i/").json()
    assert interval["signed_on"] == "2014-10-22/2014-10-23"
    assert interval["expires"] == "2015-10-22/2015-10-23"


def test_drafts_are_invisible_to_anonymous_clients_everywhere(
    api, reader_api, curator_api
):
    draft = f.AgreementFactory(
        slug="draft-renewal", is_published=False, title_en="Secret"
    )
    public = f.AgreementFactory(slug="public", renews=None, framework=draft)
    f.AgreementFactory(slug="renewed", renews=draft)
    for client in (api, reader_api):
        assert slugs(client.get(URL)) == ["public", "renewed"]
        assert client.get(URL).json()["count"] == 2
        assert client.get(f"{URL}draft-renewal/").status_code == 404
        assert client.get(URL, {"framework": "draft-renewal"}).status_code == 400
        assert client.get(f"{URL}public/").json()["framework"] is None
        assert client.get(f"{URL}renewed/").json()["renews"] is None
        assert client.get(URL, {"published": "false"}).json()["count"] == 0
        body = client.get(URL, {"format": "csv"}).content.decode()
        assert "draft-renewal" not in body and "Secret" not in body
    assert curator_api.get(f"{URL}draft-renewal/").status_code == 200
    assert slugs(curator_api.get(URL, {"published": "false"})) == ["draft-renewal"]
    assert (
        curator_api.get(f"{URL}public/").json()["framework"]["slug"] == "draft-renewal"
    )
    assert public.framework == draft


NEW = {
    "slug": "2026-whd-houston-loa",
    "title_en": "WHD Houston letter of arrangement",
    "kind": "loa",
    "scope": "local",
    "signed_on": "2026-08",
    "term_months": 36,
    "parties": [
        {"side": "us", "office": "dol-whd-houston", "signer_name": "A. Director"},
        {"side": "foreign", "office": "mx-consulate-houston"},
    ],
    "laws": ["flsa"],
    "source_urls": ["https://www.dol.gov/newsroom/releases/whd/2026"],
    "is_published": True,
}


def test_a_token_without_permission_cannot_write(api, reader_api, world):
    assert api.post(URL, NEW, format="json").status_code == 401
    assert reader_api.post(URL, NEW, format="json").status_code == 403
    assert (
        reader_api.patch(
            f"{URL}houston-loa/", {"title_en": "x"}, format="json"
        ).status_code
        == 403
    )
    assert reader_api.delete(f"{URL}houston-loa/").status_code == 403
    assert not Agreement.objects.filter(slug=NEW["slug"]).exists()


def test_a_curator_token_creates_updates_and_deletes(curator_api, world):
    created = curator_api.post(URL, NEW, format="json")
    assert created.status_code == 201, created.json()
    agreement = Agreement.objects.get(slug=NEW["slug"])
    assert (
        agreement.signed.iso() == "2026-08"
        and agreement.expiry.iso() == "2029-08-01/2029-08-31"
    )
    assert [p.office.slug for p in agreement.parties.all()] == [
        "dol-whd-houston",
        "mx-consulate-houston",
    ]
    assert agreement.citations.get().is_primary
    changed = curator_api.patch(
        f"{URL}{NEW['slug']}/", {"signed_on": "2026-08-31"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["signed_on"] == "2026-08-31"
    assert agreement.parties.count() == 2  # untouched when not sent
    assert curator_api.delete(f"{URL}{NEW['slug']}/").status_code == 204
    assert not Party.objects.filter(agreement__slug=NEW["slug"]).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"signed_on": "21/07/2004"}, "signed_on"),
        ({"kind": "treaty"}, "kind"),
        ({"slug": "houston-loa"}, "slug"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"parties": [{"side": "foreign", "office": "dol-whd-houston"}]}, "parties"),
        (
            {"parties": [{"side": "us", "office": "dol-whd-houston", "agency": "dol"}]},
            "parties",
        ),
        ({"laws": ["no-such-law"]}, "laws"),
        ({"source_urls": ["not a url"]}, "source_urls"),
        ({"framework": "no-such-agreement"}, "framework"),
    ],
)
def test_invalid_writes_are_400s_with_field_messages(curator_api, world, change, field):
    response = curator_api.post(URL, {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json() or any(
        field in str(v) for v in response.json().values()
    )
    assert not Agreement.objects.filter(title_en=NEW["title_en"]).exists()


def test_csv_agrees_with_the_json(api, world):
    rows = {
        row["slug"]: row
        for row in csv.DictReader(
            io.StringIO(api.get(URL, {"format": "csv"}).content.decode())
        )
    }
    assert rows["houston-loa"]["framework"] == "national"
    assert rows["houston-loa"]["signed_on"] == SIGNED.isoformat()
    assert (
        rows["houston-loa"]["status"] == api.get(f"{URL}houston-loa/").json()["status"]
    )
