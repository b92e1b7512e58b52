"""Versions findable by submission, question, part and row: the version index, filled for the
versions recorded before it (each version's stored JSON parsed once, in batches)."""

import django.db.models.deletion
from django.db import migrations, models


def index_existing_versions(apps, schema_editor):
    from submissions.history import version_index_fill

    version_index_fill(
        version_model=apps.get_model("reversion", "Version"),
        index_model=apps.get_model("submissions", "VersionIndex"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("submissions", "0013_search_vectors"),
    ]

    operations = [
        migrations.CreateModel(
            name="VersionIndex",
            fields=[
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="index",
                        serialize=False,
                        to="reversion.version",
                        verbose_name="version",
                    ),
                ),
                ("table", models.CharField(max_length=20, verbose_name="table")),
                ("object_id", models.PositiveIntegerField(verbose_name="answer or row id")),
                ("submission_id", models.PositiveIntegerField(verbose_name="submission id")),
                ("question_id", models.PositiveIntegerField(verbose_name="question id")),
                (
                    "part_id",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="part id"),
                ),
                (
                    "number",
                    models.PositiveIntegerField(verbose_name="version number of the answer or row"),
                ),
                (
                    "recovered_from",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="recovered from row id"
                    ),
                ),
            ],
            options={
                "verbose_name": "version index entry",
                "verbose_name_plural": "version index entries",
                "indexes": [
                    models.Index(
                        fields=["table", "submission_id", "question_id", "part_id", "object_id"],
                        name="version_index_slot",
                    ),
                    models.Index(
                        fields=["table", "object_id", "number"], name="version_index_object"
                    ),
                ],
            },
        ),
        migrations.RunPython(index_existing_versions, migrations.RunPython.noop),
    ]
