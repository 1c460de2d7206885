"""The data revision moves to the `collection` app (the shared machinery): its
table is renamed here, and the model leaves this app's state. Its row is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_first_revision")]

    operations = [
        migrations.AlterModelTable(name="revision", table="collection_revision"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Revision")]
        ),
    ]
