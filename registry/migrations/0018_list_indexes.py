"""The agreement list's default order and the order of syncing, indexed.

The list's order (signed_on DESC NULLS LAST, title_en, id), over published
agreements only, is an index on PostgreSQL alone: SQLite cannot index NULLS
LAST, so the index is not in the model's Meta (Django would create it on every
database) but made here on PostgreSQL."""

from django.db import migrations, models

LISTING = (
    "CREATE INDEX IF NOT EXISTS agreement_listing ON registry_agreement "
    "(signed_on DESC NULLS LAST, title_en, id) WHERE is_published"
)


def create_listing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LISTING)


def drop_listing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS agreement_listing")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0017_citation_quotes_and_archived_copies"),
    ]

    operations = [
        migrations.RunPython(create_listing, drop_listing),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["updated_at"], name="agreement_updated"),
        ),
    ]
