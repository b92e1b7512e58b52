"""Stored, weighted full-text search vectors with GIN indexes, on PostgreSQL only.

Each searched table gets a column ``search_vector``, ``GENERATED ALWAYS AS (...) STORED``:
PostgreSQL computes it on every INSERT and UPDATE, whichever path writes (the write gate's
``QuerySet.update()``, ``bulk_create``, the admin, ``loaddata``, a shell), and fills it for
the rows already there when the column is added. The models do not know the column (Django's
``GeneratedField`` would need an expression that compiles on SQLite too, where the suite also
runs), so nothing the ORM writes can ever name it; ``submissions/insight/search_index.py``
reads it. On SQLite these operations do nothing and search scans the texts instead.

The weights (answer text B; a row's name A, its description B, its other text fields C)
and the English configuration are those ``search_index.py`` ranks and highlights with.

A later migration that changes the type of a column named here (a longer ``max_length``,
say) must first reverse this one's column for that table (PostgreSQL refuses to alter a
column a generated column reads), then add it back.
"""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL (and does nothing on SQLite), both ways."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "PostgreSQL only: " + super().describe()


def _weighted(fields: tuple[str, ...], weight: str) -> str:
    """One weighted vector of the fields' texts joined by spaces (as Django's SearchVector)."""
    text = " || ' ' || ".join(f"coalesce({name}, '')" for name in fields)
    return f"setweight(to_tsvector('english'::regconfig, {text}), '{weight}')"


def search_vector(table: str, *groups: tuple[tuple[str, ...], str]) -> RunSQLOnPostgreSQL:
    """The generated column and its GIN index for one table."""
    expression = " || ".join(_weighted(fields, weight) for fields, weight in groups)
    return RunSQLOnPostgreSQL(
        sql=[
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED",
            f"CREATE INDEX {table}_search_vector ON {table} USING gin (search_vector)",
        ],
        reverse_sql=[
            f"DROP INDEX {table}_search_vector",
            f"ALTER TABLE {table} DROP COLUMN search_vector",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0012_word_counts"),
    ]

    operations = [
        search_vector("submissions_answer", (("text",), "B")),
        search_vector(
            "submissions_event",
            (("name",), "A"),
            (("description",), "B"),
            (("dates", "location"), "C"),
        ),
        search_vector(
            "submissions_resource",
            (("name",), "A"),
            (("description",), "B"),
            (("publishing_entities", "target_audience", "languages"), "C"),
        ),
        search_vector(
            "submissions_initiative",
            (("name",), "A"),
            (("description",), "B"),
            (("partners", "member_states"), "C"),
        ),
    ]
