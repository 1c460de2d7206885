"""The registry in numbers (/numbers/): each count is the data's, the charts are
accessible SVG with the table's numbers, each table downloads as CSV with the
same numbers, the agreement list's filters narrow every count, every number
links to a list of exactly that many agreements, and the queries do not grow
with the data."""

import csv
import html
import io
import re
from datetime import date

import pytest
from django.utils import timezone, translation

from public import charts
from registry.models import Agreement
from tests import factories as f
from tests.helpers import sitemap_locations

pytestmark = pytest.mark.django_db


def signed(us_agency, foreign, *, agency=None, foreign_agency=None, **fields):
    """A published agreement between an office of `us_agency` (or the agency
    itself, with `agency=True`) and the foreign office(s) `foreign`."""
    agreement = f.AgreementFactory(**fields)
    if agency:
        f.PartyFactory(agreement=agreement, office=None, agency=us_agency)
    else:
        f.PartyFactory(agreement=agreement, office=f.OfficeFactory(agency=us_agency))
    for office in foreign:
        f.PartyFactory(agreement=agreement, office=office, side="foreign")
    if foreign_agency:
        f.PartyFactory(
            agreement=agreement, office=None, agency=foreign_agency, side="foreign"
        )
    return agreement


@pytest.fixture
def world():
    """Six published agreements (and a draft) whose counts are known:

    ====  ======  ==========  ==========  ==========  =========
    name  year    US agency   countries   status      scope
    ====  ======  ==========  ==========  ==========  =========
    a1    2015    WHD         mx          in force    local
    a2    2015    OSHA        mx          expired     regional
    a3    2017    WHD         gt          unknown     local
    a4    —       DOL itself  mx, gt      in force    national
    a5    2017    EEOC        gt          superseded  local
    a6    2019    EEOC        gt          unknown     local
    ====  ======  ==========  ==========  ==========  =========
    """
    mexico = f.CountryFactory(code="mx", name_en="Mexico", name_es="México")
    guatemala = f.CountryFactory(code="gt", name_en="Guatemala", name_es="Guatemala")
    dol = f.AgencyFactory(slug="dol", name="U.S. Department of Labor", acronym="DOL")
    whd = f.AgencyFactory(
        slug="dol-whd", name="Wage and Hour Division", acronym="WHD", parent=dol
    )
    osha = f.AgencyFactory(
        slug="dol-osha",
        name="Occupational Safety and Health Administration",
        acronym="OSHA",
        parent=dol,
    )
    eeoc = f.AgencyFactory(
        slug="eeoc", name="Equal Employment Opportunity Commission", acronym="EEOC"
    )
    sre = f.ForeignAgencyFactory(slug="mx-sre", country=mexico)
    minex = f.ForeignAgencyFactory(slug="gt-minex", country=guatemala)
    mx_consulate = f.ConsulateFactory(agency=sre)
    gt_consulate = f.ConsulateFactory(agency=minex)
    far = date(2090, 1, 1)
    a1 = signed(whd, [mx_consulate], signed_on=date(2015, 3, 1), expires_on=far)
    a2 = signed(
        osha,
        [mx_consulate],
        signed_on=date(2015, 6, 1),
        expires_on=date(2016, 6, 1),
        scope="regional",
    )
    a3 = signed(whd, [gt_consulate], signed_on=date(2017, 8, 31))
    a4 = signed(
        dol,
        [gt_consulate],
        agency=True,
        foreign_agency=sre,
        signed_on=None,
        signed_on_precision="unknown",
        is_open_ended=True,
        scope="national",
        kind="declaration",
    )
    a5 = signed(eeoc, [gt_consulate], signed_on=date(2017, 1, 1))
    a6 = signed(eeoc, [gt_consulate], signed_on=date(2019, 5, 5), renews=a5)
    draft = signed(whd, [mx_consulate], signed_on=date(2015, 1, 1))
    draft.is_published = False
    draft.save()

    # Labor Rights Week: 2016 with two published events (and a draft) and
    # figures that disagree; 2017 with nothing reported; 2018 with one figure.
    edition = f.EditionFactory(year=2016)
    f.EventFactory(edition=edition)
    f.EventFactory(edition=edition)
    f.EventFactory(edition=edition, is_published=False)
    f.OutcomeFactory(
        edition=edition, metric="people_reached", value=18750, qualifier="about"
    )
    f.OutcomeFactory(edition=edition, metric="people_reached", value=20000)
    f.OutcomeFactory(edition=edition, metric="protection_cases", value=829)
    f.EditionFactory(year=2017)
    f.OutcomeFactory(
        edition=f.EditionFactory(year=2018),
        metric="people_reached",
        value=40000,
        qualifier="more_than",
    )
    return locals()


def grow(world, n):
    """`n` more of everything the page counts: agreements of every year, agency,
    country, status and scope, editions with events and figures."""
    for i in range(n):
        signed(
            world["whd"],
            [world["mx_consulate"], f.ConsulateFactory(agency=world["minex"])],
            signed_on=date(2005 + i, 2, 1),
            scope=["local", "regional", "national"][i % 3],
            expires_on=date(2006 + i, 1, 1),
        )
        signed(f.AgencyFactory(parent=world["dol"]), [world["gt_consulate"]])
        signed(
            world["eeoc"],
            [f.ConsulateFactory(agency=f.ForeignAgencyFactory(country=f.CountryFactory(code=f"z{chr(97 + i)}", name_en=f"Land {i}", name_es=f"Tierra {i}")))],
            signed_on=None,
            signed_on_precision="unknown",
        )  # fmt: skip
        edition = f.EditionFactory(year=2030 + i)
        f.EventFactory(edition=edition)
        f.OutcomeFactory(edition=edition, metric="people_reached", value=100 + i)
        f.OutcomeFactory(edition=edition, metric="events", value=10 + i)


def page(client, path="/numbers/", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def section(text, slug):
    """The HTML of the page's <section> headed by `<slug>-title`."""
    return text.split(f'id="{slug}-title"', 1)[1].split("</section>", 1)[0]


def found(pattern, text):
    match = re.search(pattern, text)
    assert match, pattern
    return match


ROW = re.compile(r'<tr><th scope="row">(.*?)</th>\s*<td>(.*?)</td></tr>', re.S)


def text_of(fragment):
    fragment = re.sub(r'<span class="visually-hidden">.*?</span>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def table(text, slug):
    """A count table's rows: {label: count}, and the links of the label and of
    the count, in page order."""
    rows = {}
    links = []
    for head, cell in ROW.findall(section(text, slug)):
        rows[text_of(head)] = int(text_of(cell))
        label_link = re.search(r'href="([^"]+)"', head)
        count_link = re.search(r'href="([^"]+)"', cell)
        links.append(
            (
                text_of(head),
                html.unescape(label_link[1]) if label_link else None,
                html.unescape(count_link[1]) if count_link else None,
            )
        )
    return rows, links


def chart(text, slug):
    """The SVG of a section: its title, description and the (label, value)
    written on each bar."""
    svg = section(text, slug).split("<svg", 1)[1].split("</svg>", 1)[0]
    labelled = found(r'aria-labelledby="([^"]+)"', svg)[1].split()
    title = found(r'<title id="([^"]+)">([^<]*)</title>', svg)
    desc = found(r'<desc id="([^"]+)">([^<]*)</desc>', svg)
    assert 'role="img"' in svg and 'width="100%"' in svg and "viewBox=" in svg
    assert labelled == [title[1], desc[1]]
    texts = [html.unescape(t) for t in re.findall(r"<text [^>]*>([^<]*)</text>", svg)]
    bars = list(zip(texts[::2], texts[1::2], strict=True))
    return {"title": html.unescape(title[2]), "desc": html.unescape(desc[2]), "bars": bars, "svg": svg}  # fmt: skip


def csv_rows(client, text, slug):
    link = found(r'href="(/numbers/[\w-]+\.csv[^"]*)"', section(text, slug))[1]
    response = client.get(html.unescape(link))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{slug}.csv"' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_agreements_signed_per_year_are_the_datas(client, world):
    text = page(client)
    rows, _links = table(text, "signed-per-year")
    assert rows == {
        "2015": 2, "2016": 0, "2017": 2, "2018": 0, "2019": 1, "Year not known": 1,
    }  # fmt: skip
    assert "6 published agreements" in text  # the draft is not counted


def test_counts_by_agency_country_status_and_scope_are_the_datas(client, world):
    text = page(client)
    assert table(text, "us-agencies")[0] == {
        "U.S. Department of Labor (DOL)": 4,  # its own, WHD's and OSHA's
        "Equal Employment Opportunity Commission (EEOC)": 2,
        "Wage and Hour Division (WHD)": 2,
        "Occupational Safety and Health Administration (OSHA)": 1,
    }
    # a4 has both countries on its foreign side: it counts once for each.
    assert table(text, "countries")[0] == {"Guatemala": 4, "Mexico": 3}
    assert table(text, "status")[0] == {
        "In force": 2, "Expiring within 90 days": 0, "Expired": 1,
        "Superseded by a renewal": 1, "Unknown": 2,
    }  # fmt: skip
    assert table(text, "scope")[0] == {
        "National": 1, "Regional or state-wide": 1, "Local": 4,
    }  # fmt: skip


def test_status_counts_agree_with_the_status_of_each_agreement(client, world):
    """The counts in SQL (status_q) and the status each agreement's page shows
    (status_on, in Python) are the same."""
    shown = table(page(client), "status")[0]
    today = timezone.localdate()
    for status in Agreement.Status:
        by_python = sum(
            a.status_on(today) == status
            for a in Agreement.objects.published().with_status_data()
        )
        assert shown[str(status.label)] == by_python, status


def test_each_chart_is_an_accessible_svg_with_the_tables_numbers(client, world):
    text = page(client)
    for slug, heading in [
        ("signed-per-year", "Agreements signed per year"),
        ("us-agencies", "Agreements by US agency"),
        ("countries", "Agreements by country"),
        ("status", "Status today"),
        ("scope", "Local or national"),
    ]:
        drawn = chart(text, slug)
        rows, _links = table(text, slug)
        assert drawn["title"] == heading
        assert "6 agreements in all." in drawn["desc"]
        # Every value is written on the chart, beside its label: no meaning
        # rests on colour alone.
        assert [int(value) for _label, value in drawn["bars"]] == list(rows.values()), (
            slug
        )
        for (label, _value), full in zip(drawn["bars"], rows, strict=True):
            assert label == full or label.endswith("…"), (label, full)
        assert f"<caption>{heading}</caption>" in section(text, slug)
        assert '<th scope="col">' in section(text, slug)
    assert "The most: 2015, with 2." in chart(text, "signed-per-year")["desc"]
    # A name too long for the chart keeps its acronym.
    assert ("OSHA: Occupational Safety and Health Administ…", "1") in chart(
        text, "us-agencies"
    )["bars"]
    # The year not known is drawn hatched, and the description says so.
    years = chart(text, "signed-per-year")
    assert years["svg"].count('fill="url(#chart-signed-per-year-hatch)"') == 1
    assert "hatched bar counts those whose signing year is not known" in years["desc"]


def test_each_table_downloads_as_csv_with_its_numbers(client, world):
    text = page(client)
    assert csv_rows(client, text, "signed-per-year") == [
        ["year", "agreements"],
        ["2015", "2"], ["2016", "0"], ["2017", "2"], ["2018", "0"], ["2019", "1"],
        ["", "1"],
    ]  # fmt: skip
    assert csv_rows(client, text, "countries") == [
        ["country", "name", "agreements"], ["gt", "Guatemala", "4"], ["mx", "Mexico", "3"],
    ]  # fmt: skip
    assert csv_rows(client, text, "status")[1:] == [
        ["in_force", "In force", "2"], ["expiring", "Expiring within 90 days", "0"],
        ["expired", "Expired", "1"], ["superseded", "Superseded by a renewal", "1"],
        ["unknown", "Unknown", "2"],
    ]  # fmt: skip
    for slug in ("us-agencies", "scope"):
        rows, _links = table(text, slug)
        downloaded = csv_rows(client, text, slug)
        assert {row[1]: int(row[2]) for row in downloaded[1:]} == rows


def test_filters_narrow_every_count_and_the_files(client, world):
    text = page(client, country="mx", year_from="2015")
    assert table(text, "signed-per-year")[0] == {"2015": 2}
    assert table(text, "countries")[0] == {"Mexico": 2}
    assert table(text, "us-agencies")[0] == {
        "U.S. Department of Labor (DOL)": 2,
        "Occupational Safety and Health Administration (OSHA)": 1,
        "Wage and Hour Division (WHD)": 1,
    }
    assert "2 published agreements" in text
    assert "2 agreements in all." in chart(text, "status")["desc"]
    assert csv_rows(client, text, "signed-per-year") == [
        ["year", "agreements"], ["2015", "2"],
    ]  # fmt: skip
    # The filters in force, each removable on its own, and the same list.
    page_text = html.unescape(text)
    assert "Country: Mexico" in page_text and "Signed from (year): 2015" in page_text
    assert 'href="?year_from=2015">' in page_text  # removes the country
    assert 'href="?country=mx">' in page_text  # removes the year
    assert '<a href="/agreements/?country=mx&year_from=2015">See these agreements' in (
        page_text
    )


def test_a_search_a_list_and_a_status_narrow_the_counts(client, world):
    world["a3"].title_en = "Houston wage letter"
    world["a3"].save()
    text = page(client, q="houston")
    assert table(text, "signed-per-year")[0] == {"2017": 1}
    assert table(text, "countries")[0] == {"Guatemala": 1}
    # A filter that joins a list counts each agreement once.
    law = f.LawFactory(slug="flsa")
    world["a4"].laws.add(law)
    world["a4"].topics.add(f.TopicFactory(), f.TopicFactory())
    text = page(client, law="flsa")
    assert table(text, "countries")[0] == {"Guatemala": 1, "Mexico": 1}
    assert table(text, "status")[0]["In force"] == 1
    assert table(page(client, status="unknown"), "signed-per-year")[0] == {
        "2017": 1, "2018": 0, "2019": 1,
    }  # fmt: skip


def test_no_match_says_so_once_and_how_to_widen_it(client, world):
    text = html.unescape(page(client, country="mx", status="superseded"))
    assert "0 published agreements" in text
    assert text.count("No agreement matches these filters.") == 1
    assert 'href="/numbers/">count every agreement</a>' in text
    assert 'id="signed-per-year-title"' not in text
    assert 'id="labor-rights-week-title"' in text  # the editions stay


def test_every_number_opens_a_list_of_exactly_that_many_agreements(client, world):
    """From the numbers to the list: each count links to the agreement list
    with the same filters and the row's own; each name narrows the numbers."""
    flsa = f.LawFactory(slug="flsa")
    for agreement in ("a1", "a3", "a4"):
        world[agreement].laws.add(flsa, f.LawFactory())
    for params in (
        {}, {"country": "mx"}, {"agency": "dol"}, {"q": "letter", "country": "gt"},
        {"law": "flsa"}, {"status": "unknown", "scope": "local"},
    ):  # fmt: skip
        text = page(client, **params)
        for slug in ("signed-per-year", "us-agencies", "countries", "status", "scope"):
            rows, links = table(text, slug)
            for label, narrow, to_list in links:
                if to_list is None:
                    continue
                assert to_list.startswith("/agreements/?")
                assert narrow == to_list.replace("/agreements/", "/numbers/")
                listed = page(client, to_list)
                expected = rows[label]
                noun = "agreement" if expected == 1 else "agreements"
                assert f"{expected} {noun}</p>" in listed, (params, slug, label)


def test_a_row_the_list_cannot_show_has_no_link(client, world):
    """Under ?country=mx, Guatemala's row counts agreements with both
    countries; the list takes one country, so the row links nowhere. A part of
    the agency chosen lies inside it, so it keeps its link."""
    text = page(client, country="mx")
    links = {label: to_list for label, _n, to_list in table(text, "countries")[1]}
    assert links == {"Mexico": "/agreements/?country=mx", "Guatemala": None}
    text = page(client, agency="dol")
    links = {label: to_list for label, _n, to_list in table(text, "us-agencies")[1]}
    assert links["Wage and Hour Division (WHD)"] == "/agreements/?agency=dol-whd"


@pytest.mark.parametrize(
    "path, status",
    [
        ("/numbers/?city=nowhere", 400), ("/numbers/?status=alive", 400),
        ("/numbers/?year_from=soon", 400), ("/es/numbers/?agency=nobody", 400),
        ("/numbers/status.csv?country=xx", 400), ("/numbers/nothing.csv", 404),
    ],
)  # fmt: skip
def test_a_bad_filter_is_a_400_that_names_it(client, world, path, status):
    response = client.get(path)
    assert response.status_code == status
    if status == 400:
        name = found(r"\?(\w+)=", path)[1]
        assert name in response.content.decode()
    if path == "/numbers/?city=nowhere":
        assert "Nothing is known by" in html.unescape(response.content.decode())
        assert "<svg" not in response.content.decode()


def test_labor_rights_week_shows_events_and_reported_figures_never_0_for_unknown(
    client, world
):
    text = page(client)
    rows = re.findall(
        r'<tr><th scope="row"><a href="/labor-rights-week/(\d+)/">\d+</a></th>(.*?)</tr>',
        section(text, "labor-rights-week"),
        re.S,
    )
    cells = {
        year: [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for year, row in rows
    }
    assert cells == {
        "2016": ["2", "not reported", "18,750–20,000", "829"],
        "2017": ["0", "not reported", "not reported", "not reported"],
        "2018": ["0", "not reported", "more than 40,000", "not reported"],
    }
    drawn = chart(text, "labor-rights-week")
    assert drawn["title"] == "People reached, by edition"
    assert drawn["bars"] == [
        ("2016", "18,750–20,000"), ("2017", "not reported"), ("2018", "more than 40,000"),
    ]  # fmt: skip
    # The span between the figures that disagree is hatched.
    assert 'fill="url(#chart-labor-rights-week-hatch)"' in drawn["svg"]
    assert "2 editions have a reported figure." in drawn["desc"]
    downloaded = csv_rows(client, text, "labor-rights-week")
    assert downloaded[0][:6] == [
        "year", "number", "events_listed", "events_held_min", "events_held_max",
        "events_held_qualifier",
    ]  # fmt: skip
    assert downloaded[1:] == [
        ["2016", "8", "2", "", "", "", "18750", "20000", "", "829", "829", "exact"],
        ["2017", "9", "0", "", "", "", "", "", "", "", "", ""],
        ["2018", "10", "0", "", "", "", "40000", "40000", "more_than", "", "", ""],
    ]


def test_the_agreement_filters_do_not_change_the_editions(client, world):
    everything = section(page(client), "labor-rights-week")
    assert section(page(client, country="mx"), "labor-rights-week") == everything


@pytest.mark.parametrize(
    "path, expected",
    [
        # The completeness figures: six aggregate reads (registry.coverage);
        # one read of the data revision, which keeps the tables (kept()).
        ("/numbers/", 15),
        # Each key filter reads its record; ?agency= its agency's parts too.
        ("/numbers/?agency=dol&country=mx&year_from=2010&status=in_force", 18),
        ("/numbers/signed-per-year.csv?country=mx", 3),
        ("/numbers/labor-rights-week.csv", 3),
    ],
)
def test_query_count_is_pinned_and_the_same_with_more_data(
    client, world, django_assert_num_queries, path, expected
):
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200
    grow(world, 8)
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200


def test_the_spanish_page_speaks_spanish(client, world):
    """Headings whose Spanish is in the catalogue already; the page's new
    strings follow once `make messages` has translated them."""
    response = client.get("/es/numbers/")
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert '<html lang="es">' in text
    for heading in ("Situación actual", "Semana de Derechos Laborales"):
        assert f'-title">{heading}</h2>' in text, heading
    assert '<th scope="col">País</th>' in text
    assert '<th scope="col">Agencia de EE. UU.</th>' in text
    assert table(text, "status")[0]["Vigente"] == 2
    assert "más de 40\xa0000" in text  # the figure as Spanish writes numbers
    assert 'href="/es/agreements/?status=in_force"' in text
    assert 'href="/es/numbers/status.csv"' in text
    downloaded = client.get("/es/numbers/status.csv").content.decode()
    assert "in_force,Vigente,2" in downloaded


def test_chart_coordinates_never_take_a_decimal_comma(client, world):
    svg = chart(page(client, "/es/numbers/"), "us-agencies")["svg"]
    coordinates = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"[\d.]+%?", c) for c in coordinates)


def test_the_page_is_in_the_sitemap_and_the_footer(client, world):
    locations = sitemap_locations(client)
    assert "http://testserver/numbers/" in locations
    assert "http://testserver/es/numbers/" in locations
    assert '<a href="/numbers/">' in page(client, "/agreements/")


def test_bars_are_as_long_as_their_values():
    drawn = charts.bar_chart(
        "c",
        "Title",
        "Desc",
        [
            charts.Bar("2015", 10, "10"),
            charts.Bar("2016", 5, "5"),
            charts.Bar("2017", 0, "0"),
            charts.Bar("2018", None, "not reported"),
            charts.Bar("2019", 2, "2–4", span_to=4),
        ],
    )
    bars = drawn["bars"]
    assert float(bars[0]["width"]) == pytest.approx(2 * float(bars[1]["width"]))
    assert bars[2]["width"] == "" and bars[3]["width"] == "" and bars[3]["no_bar"]
    assert float(bars[4]["span_width"]) == pytest.approx(float(bars[4]["width"]))
    # Values are written after the bar's end, inside the drawing.
    width = float(drawn["viewbox"].split()[2])
    for bar in bars:
        end = float(bar["x"]) + float(bar["width"] or 0) + float(bar["span_width"] or 0)
        assert float(bar["text_x"]) > end
        assert float(bar["text_x"]) + len(bar["text"]) * charts.CHAR_WIDTH <= width


def test_long_labels_go_above_their_bars_and_are_cut():
    name = (
        "Office of Special Counsel for Immigration-Related Unfair Employment Practices"
    )
    drawn = charts.bar_chart("c", "T", "D", [charts.Bar(name, 3, "3")])
    bar = drawn["bars"][0]
    assert bar["label_anchor"] == "start" and bar["x"] == "0.0"
    assert bar["label"].endswith("…") and len(bar["label"]) <= charts.ABOVE_LABEL_CHARS
    assert float(bar["label_y"]) < float(bar["y"])


def test_figures_follow_the_language(world):
    from public.views.numbers import labor_rights_week

    with translation.override("es"):
        row = next(r for r in labor_rights_week().rows if r.edition.year == 2016)
        assert str(row.people_reached) == "18\xa0750–20\xa0000"
    assert str(row.protection_cases) == "829"


def test_the_tables_are_kept_until_the_data_changes(client, django_assert_num_queries):
    """The tables read every agreement and every event: the second visit
    reads only the data revision, and a change is counted at once."""
    agreement = f.AgreementFactory(signed_on=date(2012, 3, 1))
    client.get("/numbers/")
    with django_assert_num_queries(1):
        again = client.get("/numbers/")
    assert again.status_code == 200
    agreement.signed_on = date(2013, 3, 1)
    agreement.save()
    response = client.get("/numbers/signed-per-year.csv")
    assert "2013,1" in response.content.decode()
    assert "2012,1" not in response.content.decode()
