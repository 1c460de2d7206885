"""Topics move to the registry app (the vocabulary both apps use): first
their tables are renamed, rows and history untouched; registry's migration
0010 takes the models over, this app's 0011 lets them go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("outreach", "0009_constraint_messages")]

    operations = [
        migrations.AlterModelTable(name="topic", table="registry_topic"),
        migrations.AlterModelTable(
            name="historicaltopic", table="registry_historicaltopic"
        ),
    ]
