"""Find help near me (/help/ and /api/v1/help/): from a ZIP code, or a state
and county, to the consulate whose jurisdiction covers the place on the day
asked, the agency offices and national lines, the agreements and events near
by; with clear messages for what it cannot answer, and a query count that does
not grow with the data."""

from datetime import date

import pytest

from outreach.help import NEAREST, find_help, places_for
from registry.geography import find_county, places_for_zip


def consulate_for(zip_code, day=None):
    (place,) = places_for(zip_code=zip_code)
    answer = find_help(place, day=day)
    mexican = [s for s in answer.consulates if s.office.agency.country.code == "mx"]
    return mexican[0] if mexican else None


# The ZIP code data set (offline, from the `zipcodes` package) -------------------


def test_zip_codes_resolve_to_their_county_offline():
    (houston,) = places_for_zip("77036")
    assert (houston.state, houston.county, houston.city) == ("tx", "Harris", "Houston")
    (lubbock,) = places_for_zip("79401")
    assert (lubbock.state, lubbock.county) == ("tx", "Lubbock")
    assert places_for_zip("00000") == ()
    with pytest.raises(ValueError):
        places_for_zip("7703")


def test_a_county_is_found_by_name_in_any_form():
    for name in ("Harris", "harris county", "HARRIS"):
        place = find_county("tx", name)
        assert place is not None and place.county == "Harris"
        assert place.latitude is not None  # the middle of its ZIP codes
    assert find_county("tx", "Atlantis") is None
    assert find_county("la", "Orleans Parish").county == "Orleans"


# The lookup on the seed data ---------------------------------------------------


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zip_code", "office", "basis"),
    [
        # Texas: eleven consulates and no county list for most of them.
        ("77036", "mx-consulate-houston", NEAREST),
        ("78040", "mx-consulate-laredo", "county"),  # Webb County
        ("79901", "mx-consulate-el-paso", "county"),  # El Paso County
        # Lubbock moved from Dallas to Albuquerque on 2022-06-01.
        ("79401", "mx-consulate-albuquerque", "county"),
        # Texarkana: the state line between Texas and Arkansas.
        ("71854", "mx-consulate-little-rock", "state"),
        ("60608", "mx-consulate-chicago", "state"),  # Illinois
        ("85004", "mx-consulate-phoenix", "county"),  # Maricopa
        ("85364", "mx-consulate-yuma", "county"),
        ("90057", "mx-consulate-los-angeles", "county"),
        ("95110", "mx-consulate-san-jose", "county"),  # Santa Clara
        ("92101", "mx-consulate-san-diego", "county"),
        ("06902", "mx-consulate-boston", "state"),  # Connecticut since 2022
        ("30303", "mx-consulate-atlanta", "state"),  # Georgia
        ("59101", "mx-consulate-boise", "state"),  # Montana
        ("96813", "mx-consulate-san-francisco", "county"),  # Honolulu
    ],
)
def test_the_consulate_serving_a_zip_code_today(zip_code, office, basis):
    serving = consulate_for(zip_code)
    assert serving is not None, zip_code
    assert (serving.office.slug, serving.basis) == (office, basis)


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_jurisdictions_are_read_on_the_day_asked():
    before = consulate_for("79401", day=date(2022, 5, 31))
    after = consulate_for("79401", day=date(2022, 6, 1))
    assert before.office.slug == "mx-consulate-dallas"
    assert after.office.slug == "mx-consulate-albuquerque"
    assert consulate_for("06902", day=date(2022, 5, 1)).office.slug == (
        "mx-consulate-new-york"
    )


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_houston_answer_leads_with_whom_to_call(client):
    response = client.get("/help/", {"zip": "77036"})
    assert response.status_code == 200
    text = response.content.decode()
    # Whom to call comes first, then agreements, events, programmes.
    order = [
        text.index("Whom to call first"),
        text.index("Agreements covering your area"),
        text.index("Events near you"),
        text.index("Year-round programmes"),
    ]
    assert order == sorted(order)
    assert "Consulate General of Mexico in Houston" in text
    assert "Nearest office; its exact service area is not on record." in text
    # The national lines, as tel: links in national format, with their date.
    assert 'href="tel:+1-866-487-9243"' in text  # WHD
    assert "(866) 487-9243" in text
    assert 'href="tel:+1-800-321-6742"' in text  # OSHA
    assert 'href="tel:+1-520-623-7874"' in text  # CIAM
    assert "as of" in text
    assert "Harris County, Texas" in text


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_the_answer_in_spanish(client):
    response = client.get("/es/help/", {"zip": "77036"})
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="es">' in text
    assert "A quién llamar primero" in text
    assert 'href="tel:+1-520-623-7874"' in text


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"zip": "7703"}, 400, "A ZIP code has five digits"),
        ({"zip": "abcde"}, 400, "A ZIP code has five digits"),
        ({"zip": "77036\x00"}, 400, "“zip” contains a control character (U+0000)"),
        ({"zip": "00000"}, 404, "is not in our list of US ZIP codes"),
        ({"state": "tx", "county": "Atlantis"}, 404, "no county called"),
        ({"state": "zz", "county": "Harris"}, 400, "Select a valid choice"),
        ({"county": "Harris"}, 400, "Enter a ZIP code, or choose a state"),
    ],
)
def test_what_it_cannot_answer_gets_a_message(client, params, status, message):
    response = client.get("/help/", params)
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_a_state_alone_lists_its_counties_to_choose_from(client):
    response = client.get("/help/", {"state": "tx"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose your county" in text
    assert "?state=tx&amp;county=Harris" in text
    answer = client.get("/help/", {"state": "tx", "county": "Harris"})
    assert "Consulate General of Mexico in Houston" in answer.content.decode()


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_a_county_with_no_consulate_on_record_says_what_to_do(client):
    # Fargo, North Dakota: no consulate's service area on record covers it, and
    # none sits in the state.
    response = client.get("/help/", {"zip": "58102"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Your consulate" not in text
    assert "No consulate's service area covering this county is on record" in text
    assert 'href="tel:+1-866-487-9243"' in text  # the national lines still answer
    # Mexico's CIAM answers where no consulate is on record: it can say which
    # consulate serves.
    assert 'href="tel:+1-520-623-7874"' in text


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
def test_the_api_gives_the_same_answer(client):
    response = client.get("/api/v1/help/", {"zip": "79401"})
    assert response.status_code == 200
    data = response.json()
    assert data["choices"] == []
    answer = data["answer"]
    assert answer["place"]["county"] == "Lubbock"
    assert answer["consulates"][0]["office"]["slug"] == "mx-consulate-albuquerque"
    assert answer["consulates"][0]["basis"] == "county"
    hotlines = {line["value"] for line in answer["hotlines"]}
    assert {"+18664879243", "+18003216742", "+15206237874"} <= hotlines
    assert all(line["as_of"] and line["source"]["url"] for line in answer["hotlines"])
    local = answer["local_agreements"]
    assert local["count"] >= len(local["results"])
    for row in local["results"]:
        assert row["status"] and row["html_url"].startswith("http")


@pytest.mark.usefixtures("seed")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"zip": "12"}, 400),
        ({"zip": "00000"}, 404),
        ({}, 400),
        ({"state": "tx", "county": "Nowhere"}, 404),
        ({"zip": "7\x0036"}, 400),
        ({"zip": "77036\x00"}, 400),
        ({"state": "tx", "county": "Har\x00ris"}, 400),
    ],
)
def test_the_api_refuses_what_it_cannot_answer(client, params, status):
    response = client.get("/api/v1/help/", params)
    assert response.status_code == status
    assert response.json()["detail"]


def test_the_schema_documents_the_lookup(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/help/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"zip", "state", "county"}
    assert {"200", "400", "404"} <= set(operation["responses"])
