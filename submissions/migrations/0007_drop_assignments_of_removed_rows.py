"""Assignments of rows removed before their assignments went with them (see
authoring.row_assignments_drop): they counted on My work and the completeness page, and a
backup wrote them as assignments of the whole question."""

from django.db import migrations

TABLES = {"events": "Event", "resources": "Resource", "initiatives": "Initiative"}


def drop_assignments_of_removed_rows(apps, schema_editor):
    Assignment = apps.get_model("submissions", "Assignment")
    for table, model_name in TABLES.items():
        rows = apps.get_model("submissions", model_name).objects
        orphans = Assignment.objects.filter(row_id__isnull=False, question__table=table).exclude(
            row_id__in=rows.values("pk")
        )
        orphans.delete()


class Migration(migrations.Migration):
    dependencies = [("submissions", "0006_questionnaire_structure_stamp")]

    operations = [
        migrations.RunPython(drop_assignments_of_removed_rows, migrations.RunPython.noop),
    ]
