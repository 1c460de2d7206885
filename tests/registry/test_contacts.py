"""Contact points as sourced data: phone numbers parsed and stored in E.164,
shown as tel: links in national format; a public value has a source, a date
and is the current one; leads stay with the curators; contacts travel through
imports, exports, the API, the downloads and the history."""

import csv
import io
from datetime import date

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from collection.files import ImportFailed
from opendata.collections import export_dataset, import_dataset
from registry.models import Contact, parse_phone
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("1-866-487-9243", "+18664879243"),
        ("(866) 487-9243", "+18664879243"),
        ("1-800-321-OSHA", "+18003216742"),
        ("520-6237874", "+15206237874"),
        ("(312) 738-2383 ext. 117", "+13127382383;ext=117"),
        ("+52 55 3686 5100", "+525536865100"),
    ],
)
def test_phone_numbers_are_stored_in_e164(text, e164):
    assert parse_phone(text) == e164


@pytest.mark.parametrize(
    "text", ["12", "555-0100-99999", "call us", "1-800-321-6742-6742"]
)
def test_a_malformed_number_is_refused(text):
    with pytest.raises(ValidationError, match="Not a valid phone number"):
        parse_phone(text)


def test_pages_show_a_national_number_and_link_it_in_international_form():
    contact = f.ContactFactory(value="+18664879243")
    assert contact.display_value == "(866) 487-9243"
    assert contact.href == "tel:+1-866-487-9243"
    extension = f.ContactFactory(value="+13127382383;ext=117")
    assert extension.display_value == "(312) 738-2383 ext. 117"
    assert extension.href == "tel:+1-312-738-2383;ext=117"
    mexico = f.ContactFactory(value="+525536865100")
    assert mexico.display_value == "+52 55 3686 5100"
    email = f.ContactFactory(kind="email", value="conchicago@sre.gob.mx")
    assert email.href == "mailto:conchicago@sre.gob.mx"


def test_full_clean_normalizes_and_names_the_bad_field():
    office = f.ConsulateFactory()
    contact = Contact(office=office, kind="main_phone", value="(713) 271-6800")
    contact.full_clean()
    assert contact.value == "+17132716800"
    bad = Contact(office=office, kind="main_phone", value="713-27")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "value" in error.value.message_dict
    email = Contact(office=office, kind="email", value="infodenver@")
    with pytest.raises(ValidationError) as error:
        email.full_clean()
    assert "value" in error.value.message_dict


def test_a_public_contact_needs_a_source_a_date_and_to_be_current():
    office = f.ConsulateFactory()
    contact = Contact(office=office, kind="main_phone", value="+17132716800")
    contact.is_published = True
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert {"source", "as_of"} <= set(error.value.message_dict)
    lead = f.ContactFactory(standing="lead", is_published=False)
    lead.is_published = True
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert "is_published" in error.value.message_dict
    # The database holds the same rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(
            office=office, kind="main_phone", value="+17132716800", is_published=True
        )


def test_a_contact_belongs_to_an_office_or_an_agency():
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(kind="main_phone", value="+17132716800")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(
            office=f.ConsulateFactory(),
            agency=f.AgencyFactory(),
            kind="main_phone",
            value="+17132716800",
        )


HEADER = "office,agency,kind,value,as_of,source,standing,is_published\n"


def dataset(text):
    return tablib.Dataset().load(text, format="csv")


def test_import_reads_any_phone_form_and_keeps_the_date_precision():
    office = f.ConsulateFactory(slug="mx-consulate-houston")
    source = f.SourceFactory(url="https://consulmex.sre.gob.mx/houston/")
    import_dataset(
        "contacts",
        dataset(
            HEADER
            + f"{office.slug},,main_phone,(713) 271-6800,2021,{source.url},current,true\n"
            + f"{office.slug},,address,3200 Rogerdale Rd,2026-02,{source.url},current,true\n"
        ),
    )
    phone, address = (
        Contact.objects.order_by("kind")[1],
        Contact.objects.get(kind="address"),
    )
    assert (phone.value, phone.stated.iso()) == ("+17132716800", "2021")
    assert address.stated.iso() == "2026-02"
    # The same number written another way is the same row, not a new one.
    import_dataset(
        "contacts",
        dataset(
            HEADER
            + f"{office.slug},,main_phone,713.271.6800,2021-05-01,{source.url},current,true\n"
        ),
    )
    assert Contact.objects.filter(kind="main_phone").count() == 1
    assert Contact.objects.get(kind="main_phone").stated.iso() == "2021-05-01"
    assert Contact.history.filter(value="+17132716800").count() == 2


def test_a_malformed_number_in_a_file_imports_nothing_and_names_the_row():
    office = f.ConsulateFactory(slug="mx-consulate-houston")
    source = f.SourceFactory(url="https://consulmex.sre.gob.mx/houston/")
    text = (
        HEADER
        + f"{office.slug},,main_phone,(713) 271-6800,2021,{source.url},current,true\n"
        + f"{office.slug},,protection_line,713-857-65,2021,{source.url},current,true\n"
        + f"{office.slug},,hotline,(713) 271-6801,,,current,true\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_dataset("contacts", dataset(text))
    rows = {error.row: " ".join(error.messages) for error in failure.value.errors}
    assert sorted(rows) == [3, 4]
    assert "Not a valid phone number: 713-857-65" in rows[3]
    assert "source" in rows[4].lower()
    assert not Contact.objects.exists()


def test_export_round_trips_and_downloads_hold_public_contacts_only(client):
    public = f.ContactFactory(label_en="switchboard", label_es="conmutador")
    f.ContactFactory(office=public.office, standing="lead", is_published=False)
    exported = export_dataset("contacts")
    assert len(exported) == 2
    assert "as_of" in exported.headers and "2025-09-04" in exported["as_of"]
    response = client.get("/data/latest/contacts.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
    # A text cell starting with "+" is escaped for spreadsheets, as every
    # export's formula-like text is; imports take the apostrophe off.
    assert [row["value"] for row in rows] == [f"'{public.value}"]
    assert rows[0]["source"] == public.source.url


def test_the_api_embeds_public_contacts_on_offices_agencies_and_programmes(client):
    office = f.ConsulateFactory()
    f.ContactFactory(office=office, kind="address", value="3200 Rogerdale Rd, Houston")
    main = f.ContactFactory(office=office, value="+17132716800")
    f.ContactFactory(office=office, standing="lead", is_published=False)
    data = client.get(reverse("api:office-detail", args=[office.slug])).json()
    assert [c["value"] for c in data["contacts"]] == [
        main.value,
        "3200 Rogerdale Rd, Houston",
    ]
    assert data["phone"] == "+17132716800"
    assert data["address"] == "3200 Rogerdale Rd, Houston"
    first = data["contacts"][0]
    assert first["display_value"] == "(713) 271-6800"
    assert first["href"] == "tel:+1-713-271-6800"
    assert first["as_of"] == "2025-09-04" and first["source"]["url"]
    agency = f.AgencyFactory()
    f.ContactFactory(office=None, agency=agency, kind="hotline", value="+18664879243")
    data = client.get(reverse("api:agency-detail", args=[agency.slug])).json()
    assert [c["value"] for c in data["contacts"]] == ["+18664879243"]
    line = f.ProgrammeContactFactory()
    data = client.get(
        reverse("api:programme-detail", args=[line.programme.slug])
    ).json()
    assert [c["value"] for c in data["contacts"]] == [line.value]


def test_the_office_page_shows_whom_to_call_with_its_date_and_source(client):
    office = f.ConsulateFactory()
    f.ContactFactory(office=office, kind="protection_line", value="+17138576504")
    f.ContactFactory(
        office=office, standing="lead", is_published=False, value="+13127382383"
    )
    hotline = f.ContactFactory(
        office=None,
        agency=office.agency,
        kind="hotline",
        value="+15206237874",
        as_of=date(2025, 9, 1),
        as_of_precision="month",
    )
    text = client.get(office.get_absolute_url()).content.decode()
    assert 'href="tel:+1-713-857-6504"' in text and "(713) 857-6504" in text
    assert "(312) 738-2383" not in text  # a lead is for curators only
    assert 'href="tel:+1-520-623-7874"' in text  # the agency's line applies here
    assert "as of September 2025" in text
    assert hotline.source.url in text


def test_leads_are_listed_in_the_review_queue(client):
    lead = f.ContactFactory(standing="lead", is_published=False, note="content farm")
    f.ContactFactory()  # public: nothing to confirm
    client.force_login(f.curator())
    text = client.get("/admin/review/").content.decode()
    assert "Contacts to confirm (1)" in text
    assert lead.display_value in text
    # And in the daily mail.
    out = io.StringIO()
    call_command("registry_radar", "--dry-run", stdout=out)
    assert "Contacts to confirm (1)" in out.getvalue()
    assert lead.display_value in out.getvalue()
