"""An agreement's search reads its parties' names from its own row.

Search matched a party's office, agency or signer by a subquery OR'ed with the
text match, which hid the text's GIN index from PostgreSQL (0.4-0.9 s at
100,000 agreements for a word common in office names). The names are now
kept in `party_names` (registry.signals) and, on PostgreSQL, part of the
stored search document (0005), in English and Spanish at weight B.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

PARTS = (
    "office__name", "office__name_en", "office__name_es",
    "office__agency__name", "office__agency__acronym",
    "agency__name", "agency__acronym", "signer_name",
)  # fmt: skip


def document(with_parties):
    parts = [
        ("A", "en_unaccent", ["title_en"]),
        ("A", "es_unaccent", ["title_es"]),
        ("B", "en_unaccent", ["summary_en", "instrument_as_named"]),
        ("B", "es_unaccent", ["summary_es"]),
        ("C", "en_unaccent", ["note"]),
    ]
    if with_parties:
        parts += [
            ("B", "en_unaccent", ["party_names"]),
            ("B", "es_unaccent", ["party_names"]),
        ]
    return " || ".join(
        f"setweight(to_tsvector('{config}', "
        + " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
        + f"), '{weight}')"
        for weight, config, columns in parts
    )


def fill(apps, schema_editor):
    from collection.search import Joined, Words

    Agreement = apps.get_model("registry", "Agreement")
    Party = apps.get_model("registry", "Party")
    names = (
        Party.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(names=Joined(Words(*PARTS)))
        .values("names")
    )
    Agreement.objects.order_by().update(
        party_names=Coalesce(Subquery(names), Value(""))
    )


def rebuild(with_parties):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("ALTER TABLE registry_agreement DROP COLUMN search")
        schema_editor.execute(
            "ALTER TABLE registry_agreement ADD COLUMN search tsvector "
            f"GENERATED ALWAYS AS ({document(with_parties)}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX registry_agreement_search ON registry_agreement "
            "USING GIN (search)"
        )

    return operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0019_party_signer_trigrams")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="party_names",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(rebuild(True), rebuild(False)),
    ]
