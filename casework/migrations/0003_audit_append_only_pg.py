"""On PostgreSQL the audit tables refuse UPDATE and DELETE: a trigger raises on either.

The ORM already refuses (HazardTransition/AuditEvent.save on an existing row, .delete); the trigger
closes raw SQL and QuerySet.update()/delete() too. TRUNCATE is not covered (it needs the table
owner's TRUNCATE privilege, which the application's role should not hold in production). On any other
database this migration does nothing; the hash chains detect tampering everywhere.
"""

from django.db import migrations

TABLES = ["casework_hazardtransition", "casework_auditevent"]
FUNCTION = "casework_audit_append_only"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
    """,
        params=None,
    )  # no parameters: the % in RAISE stays as written
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}();")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_audit_events")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
