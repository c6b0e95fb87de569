"""An index for the as-of reports (casework.reports.asof): each hazard's last visible record, per district.

The reports read a district's transition records once, keep the last one per hazard (highest id) among
those that had happened (occurred_at) and been entered (recorded_at) by the moment, and count the
to_state of each. This index hands them over in (hazard, id) order within the district, carrying the
three columns the query needs, so PostgreSQL answers from the index alone (DISTINCT ON over an
index-only scan, no sort, no heap) and SQLite from a covering index. It lives in the database only:
PostgreSQL keeps the extra columns out of the key (INCLUDE), which SQLite cannot, so the two spell it
differently; the model's state is unchanged.
"""

from django.db import migrations

NAME = "transition_district_hazard_asof"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON casework_hazardtransition "
            "(district_id, hazard_id, id DESC) INCLUDE (occurred_at, recorded_at, to_state)"
        )
    else:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON casework_hazardtransition "
            "(district_id, hazard_id, id, occurred_at, recorded_at, to_state)"
        )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_merge_0007_audit_export_kinds_0007_ledger_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
