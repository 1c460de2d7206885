"""Full-text search on PostgreSQL: a stored, generated tsvector column with a GIN
index on each searchable table, in English and Spanish, accent-insensitive.

The columns are not model fields: SQLite cannot hold them, so this migration
does nothing there and the search falls back to plain substring matching (see
registry/search.py). Unaccenting lives inside the text-search configurations
so that the generated expressions stay immutable.
"""

from django.db import migrations

CONFIGURATIONS = [
    ("en_unaccent", "english", "english_stem"),
    ("es_unaccent", "spanish", "spanish_stem"),
]

# table: [(weight, configuration, columns)]
DOCUMENTS = {
    "registry_agreement": [
        ("A", "en_unaccent", ["title_en"]),
        ("A", "es_unaccent", ["title_es"]),
        ("B", "en_unaccent", ["summary_en", "instrument_as_named"]),
        ("B", "es_unaccent", ["summary_es"]),
        ("C", "en_unaccent", ["note"]),
    ],
    "registry_office": [
        ("A", "en_unaccent", ["name"]),
        ("A", "es_unaccent", ["name"]),
        ("C", "en_unaccent", ["note"]),
    ],
    "registry_city": [
        ("A", "en_unaccent", ["name"]),
        ("A", "es_unaccent", ["name"]),
    ],
}


def vector(parts):
    return " || ".join(
        f"setweight(to_tsvector('{config}', "
        + " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
        + f"), '{weight}')"
        for weight, config, columns in parts
    )


def forwards_sql():
    yield "CREATE EXTENSION IF NOT EXISTS unaccent"
    for name, copy, stem in CONFIGURATIONS:
        yield f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
                    CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{copy});
                    ALTER TEXT SEARCH CONFIGURATION {name}
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem};
                END IF;
            END $$"""
    for table, parts in DOCUMENTS.items():
        yield (
            f"ALTER TABLE {table} ADD COLUMN search tsvector "
            f"GENERATED ALWAYS AS ({vector(parts)}) STORED"
        )
        yield f"CREATE INDEX {table}_search ON {table} USING GIN (search)"


def backwards_sql():
    for table in DOCUMENTS:
        yield f"ALTER TABLE {table} DROP COLUMN IF EXISTS search"


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements():
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_index_updated_at")]

    operations = [migrations.RunPython(run(forwards_sql), run(backwards_sql))]
