"""Signers' names searchable by index on PostgreSQL.

Search matches a word anywhere in a signer's name (`icontains`, which Django
writes as UPPER(signer_name) LIKE UPPER('%word%')); without an index that
reads every party. A trigram index on the same expression (pg_trgm, a trusted
extension that a database's owner may create) answers it for words of three
letters or more. PostgreSQL only, like agreement_listing (0018): SQLite has
neither the extension nor the need."""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
INDEX = (
    "CREATE INDEX IF NOT EXISTS party_signer_trigrams ON registry_party "
    "USING gin (UPPER(signer_name::text) gin_trgm_ops)"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS party_signer_trigrams")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0018_list_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
