"""The scale benchmark's dataset builder (benchmarks/scale_data.py), run small.

The benchmark's figures are only as good as its data: these tests check that the builder
inserts what it promises (submissions, answers, rows, history), that the history reads as
the app's own (versions, removed rows), and that what it writes is what the write gate
would have written for the same content, so that a column the app starts to derive on
write (a word count, a search vector, a version's metadata) cannot be left out of the
benchmark's data without a test failing. The pages are not timed here.
"""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models
from reversion.models import Revision, Version

from accounts.models import Membership, Organization, Role
from benchmarks import scale_data
from submissions import changes, history
from submissions.models import ROW_MODELS, Answer, Initiative, Submission
from submissions.seeds import seeds_load

pytestmark = pytest.mark.django_db

ENTITIES, YEARS = 2, 3


@pytest.fixture
def built():
    seeds_load(demo_users=False)
    return scale_data.build(entities=ENTITIES, years=YEARS)


def _synthetic(queryset):
    return queryset.filter(submission__organization__code__startswith="E")


def _versions(obj):
    return list(Version.objects.get_for_object(obj).order_by("pk"))


def test_build_inserts_the_promised_submissions_answers_and_rows(built):
    submissions = Submission.objects.filter(organization__code__startswith="E")
    assert submissions.count() == built.submissions == ENTITIES * YEARS
    assert built.totals["submissions"] == ENTITIES * YEARS + 5  # and IOM's five seeds
    assert {s.questionnaire.year for s in submissions} == set(scale_data.YEARS[:YEARS])
    for submission in submissions:
        assert submission.answers.count() == scale_data.ANSWERS_PER_SUBMISSION
        rows = scale_data.row_count(submission)
        assert 0 < rows <= scale_data.TEMPLATE_ROWS
    assert scale_data.row_count(scale_data.focus_submission()) == scale_data.TEMPLATE_ROWS
    assert built.answers == _synthetic(Answer.objects).count()
    assert built.rows == sum(_synthetic(m.objects).count() for m in ROW_MODELS.values())
    assert built.removed_rows == ENTITIES * YEARS
    # Statuses as a deployment has them: older years finalized, the newest in review.
    newest = submissions.filter(questionnaire__year=scale_data.YEARS[0])
    assert set(newest.values_list("status", flat=True)) == {"in_review"}
    assert set(submissions.exclude(pk__in=newest).values_list("status", flat=True)) == {"finalized"}


def test_every_answer_and_row_has_the_history_the_write_gate_would_have_recorded(built):
    objects = list(_synthetic(Answer.objects).select_related("submission__organization"))
    for model in ROW_MODELS.values():
        objects += list(_synthetic(model.objects).prefetch_related("sdgs"))
    for obj in objects:
        versions = _versions(obj)
        # One version per save, numbered as the object's version; the last is what it is.
        assert [v.field_dict["version"] for v in versions] == list(range(1, obj.version + 1))
        assert versions[-1].serialized_data == serializers.serialize("json", [obj])
        assert versions[-1].object_repr == str(obj)
    versions = sum(obj.version for obj in objects) + 2 * built.removed_rows
    assert built.versions == versions
    assert built.totals["versions"] == Version.objects.count()
    # A revision per submission's import, per later save and per removal.
    saves = sum(obj.version - 1 for obj in objects)
    assert built.revisions == built.submissions + saves + built.removed_rows
    assert Revision.objects.count() == built.totals["revisions"]


def test_the_history_pages_read_the_built_history(built):
    submission = scale_data.focus_submission()
    question = submission.questionnaire.questions.get(number="1")
    versions = history.answer_versions(submission=submission, question=question, part=None)
    assert [v.number for v in versions] == [3, 2, 1]
    assert versions[0].current
    assert versions[-1].comment == history.comment_label(history.IMPORTED)
    table = submission.questionnaire.questions.get(table="initiatives")
    removed = history.rows_removed(submission=submission, question=table)
    assert len(removed) == 1
    assert not Initiative.objects.filter(pk=removed[0].id).exists()


def test_users_belong_where_the_benchmark_needs_them(built):
    coordinator = Membership.objects.get(user__username=scale_data.coordinator_username(1))
    assert (coordinator.organization.code, coordinator.role) == ("E001", Role.COORDINATOR)
    everywhere = Membership.objects.filter(user__username=scale_data.ALL_ENTITIES_USERNAME)
    assert everywhere.count() == ENTITIES
    assert set(everywhere.values_list("role", flat=True)) == {Role.COORDINATOR}


def test_texts_are_varied_with_a_common_and_a_rare_word(built):
    answers = _synthetic(Answer.objects)
    texts = list(answers.values_list("text", flat=True))
    assert len(set(texts)) == len(texts)  # no two alike
    rare = answers.filter(text__contains=scale_data.RARE_WORD)
    assert rare.count() == min(ENTITIES, len(scale_data.RARE_ENTITIES))
    assert rare.filter(submission=scale_data.focus_submission(), question__number="1").exists()
    common = answers.filter(text__icontains=scale_data.COMMON_WORD).count()
    assert common > answers.count() / 3
    names = list(_synthetic(Initiative.objects).values_list("name", flat=True))
    assert len(set(names)) > len(names) / 3  # names drift and items are new from year to year


def test_adding_entities_and_growing_a_submission(built):
    more = scale_data.build(entities=1, years=YEARS, first=ENTITIES + 1)
    assert more.totals["submissions"] == built.totals["submissions"] + YEARS
    assert Membership.objects.filter(user__username=scale_data.ALL_ENTITIES_USERNAME).count() == (
        ENTITIES + 1
    )
    focus = scale_data.focus_submission()
    before = Version.objects.count()
    added = scale_data.grow_rows(focus, total=40)
    assert scale_data.row_count(focus) == 40
    assert Version.objects.count() == before + 40 - scale_data.TEMPLATE_ROWS
    row = Initiative.objects.get(pk=next(pk for model, pk in added if model is Initiative))
    assert _versions(row)[-1].serialized_data == serializers.serialize("json", [row])
    scale_data.remove_rows(added)
    assert scale_data.row_count(focus) == scale_data.TEMPLATE_ROWS
    assert Version.objects.count() == before


def _content(obj: models.Model) -> dict:
    """Every stored value of an answer or row but where and when it was written."""
    skipped = {"id", "submission", "version", "updated_by", "updated_at"}
    return {
        f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.name not in skipped
    }


def _referring(obj: models.Model) -> dict[str, int]:
    """Rows of other tables pointing at the object or at its latest version and revision."""
    version = Version.objects.get_for_object(obj).first()
    targets = {type(obj): obj.pk, Version: version.pk, Revision: version.revision_id}
    known = {Version, ContentType, *(m.sdgs.through for m in ROW_MODELS.values())}
    counts = {}
    for model in apps.get_models():
        if model in known:
            continue
        for f in model._meta.concrete_fields:
            target = getattr(f.remote_field, "model", None) if f.remote_field else None
            if target in targets and f.name not in ("parent",):
                key = f"{model._meta.label}.{f.name}"
                counts[key] = model.objects.filter(**{f.attname: targets[target]}).count()
    return counts


def test_built_answers_and_rows_are_what_the_write_gate_writes(built):
    """A twin of a built answer and row, written through the write gate: the same columns,
    the same version data, the same rows pointing at them elsewhere. A value the app
    starts to store on write that the builder does not write fails here."""
    focus = scale_data.focus_submission()
    answer = focus.answers.get(question__number="1", part=None)
    row = Initiative.objects.filter(submission=focus).prefetch_related("sdgs").first()
    twin_organization = Organization.objects.create(code="TWIN", name="Twin")
    twin_submission = Submission.objects.create(
        organization=twin_organization, questionnaire=focus.questionnaire
    )
    user = answer.updated_by
    Membership.objects.create(user=user, organization=twin_organization, role=Role.COORDINATOR)
    changes.answer_save(
        submission=twin_submission,
        question=answer.question,
        part=None,
        text=answer.text,
        base_version=0,
        user=user,
        key="twin",
    )
    values = {name: getattr(row, name) for name in history.row_content_fields(Initiative)}
    changes.row_save(
        submission=twin_submission,
        question=row.question,
        row_id=None,
        base_version=0,
        values=values,
        sdgs=[s.number for s in row.sdgs.all()],
        position=row.position,
        user=user,
        key="twin-row",
    )
    twin_answer = Answer.objects.get(submission=twin_submission)
    twin_row = Initiative.objects.get(submission=twin_submission)
    for built_obj, twin in ((answer, twin_answer), (row, twin_row)):
        built_obj.refresh_from_db()
        assert _content(built_obj) == _content(twin)
        built_fields = Version.objects.get_for_object(built_obj).first().field_dict
        twin_fields = Version.objects.get_for_object(twin).first().field_dict
        skipped = {"id", "submission_id", "version", "updated_by_id", "updated_at"}
        assert {k: v for k, v in built_fields.items() if k not in skipped} == {
            k: v for k, v in twin_fields.items() if k not in skipped
        }
        assert _referring(built_obj) == _referring(twin)
