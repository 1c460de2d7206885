"""Filters of the smaller collections: each good value, and a bad one (400)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    texas = f.StateFactory(code="TX", slug="tx")
    houston = f.CityFactory(
        slug="houston-tx", name="Houston", state=texas, gateway_type="post_ww2"
    )
    mexico = f.CountryFactory(code="mx", name_en="Mexico", name_es="México")
    dol = f.AgencyFactory(slug="dol", name="Department of Labor", acronym="DOL")
    whd = f.AgencyFactory(slug="dol-whd", parent=dol, acronym="WHD")
    sre = f.ForeignAgencyFactory(slug="mx-sre", country=mexico, acronym="SRE")
    consulate = f.ConsulateFactory(
        slug="mx-consulate-houston", agency=sre, city=houston
    )
    f.JurisdictionFactory(
        office=f.ConsulateFactory(slug="mx-consulate-austin", agency=sre, city=None),
        state=texas,
    )
    f.OfficeFactory(
        slug="dol-whd-houston", agency=whd, city=houston, kind="district_office"
    )
    hotline = f.ProgrammeFactory(slug="jewp", city=houston)
    hotline.offices.add(consulate)
    f.ProgrammeFactory(slug="empleo", kind="ventanilla").agencies.add(whd)
    f.OrganizationFactory(slug="fe-y-justicia", city=houston, name="Fe y Justicia")
    f.LawFactory(slug="flsa", short_name="FLSA", name_en="Fair Labor Standards Act")
    return locals()


CASES = {
    "agencies": [
        ("country", "mx", ["mx-sre"]), ("level", "foreign_ministry", ["mx-sre"]),
        ("parent", "dol", ["dol-whd"]), ("q", "WHD", ["dol-whd"]),
    ],
    "offices": [
        ("agency", "dol", ["dol-whd-houston"]), ("city", "houston-tx", ["dol-whd-houston", "mx-consulate-houston"]),
        ("covers", "houston-tx", ["dol-whd-houston", "mx-consulate-austin", "mx-consulate-houston"]),
        ("state", "tx", ["dol-whd-houston", "mx-consulate-houston"]), ("country", "mx", ["mx-consulate-austin", "mx-consulate-houston"]),
        ("kind", "district_office", ["dol-whd-houston"]), ("consular", "false", ["dol-whd-houston"]),
        ("q", "whd", []),
    ],
    "cities": [
        ("state", "tx", ["houston-tx"]), ("gateway_type", "post_ww2", ["houston-tx"]),
        ("q", "hous", ["houston-tx"]),
    ],
    "programmes": [
        ("kind", "ventanilla", ["empleo"]), ("city", "houston-tx", ["jewp"]),
        ("agency", "mx-sre", ["jewp"]), ("agency", "dol", ["empleo"]),
    ],
    "organizations": [
        ("kind", "worker_center", ["fe-y-justicia"]), ("city", "houston-tx", ["fe-y-justicia"]),
        ("q", "justicia", ["fe-y-justicia"]),
    ],
    "laws": [("q", "labor", ["flsa"])],
    "states": [("country", "us", ["tx"])],
}  # fmt: skip
GOOD = [(collection, *case) for collection, cases in CASES.items() for case in cases]


@pytest.mark.parametrize("collection, name, value, expected", GOOD)
def test_filter(api, world, collection, name, value, expected):
    response = api.get(f"/api/v1/{collection}/", {name: value})
    assert response.status_code == 200, response.content
    assert sorted(row["slug"] for row in response.json()["results"]) == sorted(expected)


BAD = [
    ("agencies", "country", "xx"), ("agencies", "level", "galactic"), ("agencies", "parent", "nobody"),
    ("offices", "agency", "nobody"), ("offices", "city", "nowhere"), ("offices", "covers", "nowhere"),
    ("offices", "state", "zz"), ("offices", "country", "xx"), ("offices", "kind", "bunker"),
    ("offices", "consular", "sometimes"), ("cities", "state", "zz"), ("cities", "country", "xx"),
    ("cities", "gateway_type", "portal"), ("programmes", "kind", "radio"), ("programmes", "city", "x"),
    ("programmes", "agency", "nobody"), ("organizations", "kind", "club"),
    ("organizations", "city", "x"), ("states", "country", "xx"),
]  # fmt: skip


@pytest.mark.parametrize("collection, name, value", BAD)
def test_bad_filter_value(api, world, collection, name, value):
    response = api.get(f"/api/v1/{collection}/", {name: value})
    assert response.status_code == 400
    assert list(response.json()) == [name]
