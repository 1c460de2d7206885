"""Office memberships move to the registry app (events, in outreach, are
scoped by them, and curation sits above both): first their tables are
renamed, rows and history untouched; registry's migration 0010 takes the
models over, this app's 0005 lets them go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("curation", "0003_constraint_messages")]

    operations = [
        migrations.AlterModelTable(name="membership", table="registry_membership"),
        migrations.AlterModelTable(
            name="historicalmembership", table="registry_historicalmembership"
        ),
    ]
