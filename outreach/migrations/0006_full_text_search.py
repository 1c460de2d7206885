"""Full-text search on PostgreSQL for events and partner organisations (see
registry/migrations/0005_full_text_search.py, which creates the configurations)."""

from django.db import migrations

DOCUMENTS = {
    "outreach_event": [
        ("A", "en_unaccent", ["title_en"]),
        ("A", "es_unaccent", ["title_es"]),
        ("B", "en_unaccent", ["description_en", "venue"]),
        ("B", "es_unaccent", ["description_es"]),
    ],
    "outreach_organization": [
        ("A", "en_unaccent", ["name", "acronym"]),
        ("A", "es_unaccent", ["name"]),
        ("C", "en_unaccent", ["note"]),
    ],
}


def vector(parts):
    return " || ".join(
        f"setweight(to_tsvector('{config}', "
        + " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
        + f"), '{weight}')"
        for weight, config, columns in parts
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, parts in DOCUMENTS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search tsvector "
            f"GENERATED ALWAYS AS ({vector(parts)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING GIN (search)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in DOCUMENTS:
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search")


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0005_index_updated_at"),
        ("registry", "0005_full_text_search"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
