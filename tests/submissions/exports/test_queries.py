"""Each export runs a fixed number of queries, however many rows the submission holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.exports import EXPORTERS, render_export

from .conftest import add_rows

pytestmark = pytest.mark.django_db

# The submission (with organization, questionnaire and who finalized it), questions, parts,
# the questions' row field labels, answers, and for each of the three table kinds its rows and
# their SDGs; the list formats read the submissions and their rows (with questions) and SDGs,
# and the XLSX one more for its answers sheet (answers with their question and part; the
# rows' library item ids are grouped from the rows already read); JSON also reads reviews,
# comments, assignments and the timeline.
EXPECTED = {"docx": 11, "pdf": 11, "txt": 11, "json": 15, "csv": 7, "xlsx": 8}


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_queries_do_not_grow_with_rows(
    submission, full_questionnaire, sdgs, fmt, django_assert_num_queries
):
    """Prevents the N+1 of reading each row's SDGs, question or editor (and each answer's
    question and part) one query per row: 1 and 60 rows of each kind cost the same."""
    add_rows(submission, 1)
    with CaptureQueriesContext(connection) as one_row:
        render_export(submission=submission, fmt=fmt)
    submission.events.all().delete()
    submission.resources.all().delete()
    submission.initiatives.all().delete()
    add_rows(submission, 60)

    with django_assert_num_queries(EXPECTED[fmt]):
        render_export(submission=submission, fmt=fmt)
    assert len(one_row) == EXPECTED[fmt]
