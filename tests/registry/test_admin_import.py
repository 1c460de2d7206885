"""Spreadsheets in the admin: a dry-run preview, then the import on
confirmation; row-numbered errors that import nothing; a size cap; and
exports in every format."""

import os

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:registry_agreement_import")
CONFIRM = reverse("admin:registry_agreement_process_import")
GOOD = (
    "slug,title_en,kind,scope,signed_on\n"
    "a-1,First letter,loa,local,2011-11\n"
    "a-2,Second letter,mou,national,2012\n"
)


@pytest.fixture
def curator_client(client):
    client.force_login(f.curator())
    return client


def upload(text, name="agreements.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_preview_changes_nothing_and_the_confirmation_imports(curator_client):
    preview = curator_client.post(IMPORT, {"import_file": upload(GOOD), "format": "0"})
    assert preview.status_code == 200
    assert not Agreement.objects.exists()
    assert [(n, row.import_type) for n, row in preview.context["preview_rows"]] == [
        (2, "new"),
        (3, "new"),
    ]
    assert "2 new, 0 updated, 0 unchanged" in preview.content.decode()
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    done = curator_client.post(CONFIRM, data)
    assert done.status_code == 302
    assert sorted(Agreement.objects.values_list("slug", flat=True)) == ["a-1", "a-2"]
    assert Agreement.history.filter(history_user__username="curator").count() == 2


def test_preview_and_confirmation_do_not_grow_in_queries_with_the_rows(
    curator_client,
):
    """A hundred rows cost the queries of five, but for the INSERTs SQLite
    splits at its limit of parameters per statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows, start):
        text = "slug,title_en,kind,scope,signed_on\n" + "".join(
            f"p-{n},Letter {n},loa,local,2011-11\n" for n in range(start, start + rows)
        )
        with CaptureQueriesContext(connection) as captured:
            response = curator_client.post(
                IMPORT, {"import_file": upload(text), "format": "0"}
            )
            form = response.context["confirm_form"]
            curator_client.post(
                CONFIRM, {name: form[name].value() for name in form.fields}
            )
        statements = [q["sql"].lstrip().split()[0].upper() for q in captured]
        return (
            len([s for s in statements if s != "INSERT"]),
            statements.count("INSERT"),
        )

    f.AgreementFactory()  # both files meet existing records
    (few, few_inserts), (many, many_inserts) = queries(5, 0), queries(100, 1000)
    assert Agreement.objects.count() == 106
    assert few == many
    assert many_inserts <= few_inserts + 8


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: Redis untested"
)
def test_with_redis_any_app_server_finds_the_file_to_confirm(curator_client, settings):
    """Between the preview and the confirmation the file is in the shared
    cache, where another process (another app server) reads it."""
    from django.core.cache.backends.redis import RedisCache
    from import_export.tmp_storages import CacheStorage

    preview = curator_client.post(IMPORT, {"import_file": upload(GOOD), "format": "0"})
    name = preview.context["confirm_form"]["import_file_name"].value()
    other_server = RedisCache(
        settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": "registry"}
    )
    assert other_server.get(CacheStorage.CACHE_PREFIX + name) == GOOD.encode()


def test_a_bad_row_is_named_by_its_spreadsheet_row_and_nothing_is_imported(
    curator_client,
):
    text = GOOD + "a-3,Third letter,treaty,local,2013\n"
    response = curator_client.post(IMPORT, {"import_file": upload(text), "format": "0"})
    page = response.content.decode()
    assert [error.row for error in response.context["row_errors"]] == [4]
    assert "Nothing was imported" in page and "treaty" in page
    assert "confirm_form" not in response.context
    assert not Agreement.objects.exists()


def test_unknown_columns_are_reported_on_row_1(curator_client):
    response = curator_client.post(
        IMPORT, {"import_file": upload("slug,titel\nx,Letter\n"), "format": "0"}
    )
    [error] = response.context["row_errors"]
    assert error.row == 1 and "titel" in error.messages[0]


def test_files_over_the_size_cap_are_refused(curator_client, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 100
    response = curator_client.post(
        IMPORT, {"import_file": upload(GOOD * 5), "format": "0"}
    )
    assert response.status_code == 200
    assert "files up to 100" in str(response.context["form"].errors["import_file"])
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("index", "file_format"), [(0, "csv"), (1, "xlsx"), (2, "json")]
)
def test_exports_in_every_format(curator_client, index, file_format):
    f.AgreementFactory(slug="exported", title_en="=1+1")
    response = curator_client.post(
        reverse("admin:registry_agreement_export"),
        {"format": str(index), "export_items": [], **export_fields()},
    )
    assert response.status_code == 200
    data = tablib.Dataset().load(
        response.content if file_format == "xlsx" else response.content.decode(),
        format=file_format,
    )
    assert list(data["slug"]) == ["exported"]
    assert list(data["title_en"]) == ["'=1+1"]  # not a formula in a spreadsheet


def export_fields():
    from registry.resources import AgreementResource

    return {
        f"agreementresource_{name}": "on"
        for name in [
            field.column_name for field in AgreementResource().get_export_fields()
        ]
    }


def test_importing_and_exporting_need_their_permissions(client):
    office = f.ConsulateFactory()
    client.force_login(f.event_editor("editor", office))
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("admin:registry_agreement_export")).status_code == 403
