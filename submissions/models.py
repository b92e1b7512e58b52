"""Questionnaires (what UN DESA asks each year) and submissions (what an organization answers)."""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .matchkeys import ACRONYM_MAX_LENGTH, row_match_fields
from .text import MAX_TEXT_LENGTH
from .validators import validate_website
from .wordcount import count_words


def _positive_or_null(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gt": 0}),
        name=name,
        violation_error_message=_("Limits must be positive numbers."),
    )


def limit_note_from(minimum: int | None, limit: int | None) -> str:
    """A limit note written from the limits: "(max 200 words)", "(200-800 words)"."""
    if minimum and limit:
        return f"({minimum}-{limit} words)"
    if limit:
        return f"(max {limit} words)"
    if minimum:
        return f"(at least {minimum} words)"
    return ""


class SDG(models.Model):
    """One of the 17 Sustainable Development Goals (loaded by a data migration)."""

    number = models.PositiveSmallIntegerField(
        _("number"),
        primary_key=True,
        validators=[MinValueValidator(1), MaxValueValidator(17)],
    )
    title = models.CharField(_("short title"), max_length=100)
    colour = models.CharField(_("official colour"), max_length=7, help_text=_("Hex code, #RRGGBB."))

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG")
        verbose_name_plural = _("SDGs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=17),
                name="sdg_number_1_to_17",
                violation_error_message=_("SDG numbers go from 1 to 17."),
            )
        ]

    def __str__(self) -> str:
        return gettext("SDG %(number)s: %(title)s") % {
            "number": self.number,
            "title": gettext(self.title),
        }


class QuestionnaireKind(models.TextChoices):
    DESA = "desa", _("UN DESA questionnaire on the 2030 Agenda")
    GBV = "gbv", _("Gender-based violence questionnaire")


def new_structure_stamp() -> str:
    return secrets.token_hex(8)


class Questionnaire(models.Model):
    """The questions UN DESA asks in one year; administrators edit a copy every year."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=QuestionnaireKind.choices, default=QuestionnaireKind.DESA
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    slug = models.SlugField(
        _("slug"), max_length=50, unique=True, help_text=_("Used in URLs and file names.")
    )
    title = models.CharField(_("title"), max_length=300)
    intro = models.TextField(_("introduction"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    is_open = models.BooleanField(
        _("open for answers"),
        default=False,
        help_text=_("Organizations can open and edit submissions to an open questionnaire."),
    )
    source_document = models.CharField(
        _("source document"),
        max_length=200,
        blank=True,
        help_text=_("Seed document this questionnaire was transcribed from, if any."),
    )
    text_layout = models.CharField(
        _("layout of the text"),
        max_length=20,
        choices=[
            ("blank-line", _("Label, blank line, value (2024)")),
            ("pipe", _("Values ending in “ |” (2023)")),
            ("inline", _("Label and value on one line (2021)")),
            ("plain", _("Numbered narrative without tables (2017)")),
            ("web-capture", _("Answers only, as captured from a web page")),
        ],
        default="blank-line",
        help_text=_("How this year's form lays out its text: the plain-text export writes it so."),
    )
    footer = models.TextField(
        _("footer"),
        blank=True,
        help_text=_(
            "Lines the form prints after the last question, as written (“ECESA Plus Member”, "
            "“Year of submission: 2024”); empty for none."
        ),
    )
    structure_stamp = models.CharField(
        _("structure stamp"),
        max_length=16,
        default=new_structure_stamp,
        editable=False,
        help_text=_(
            "Changes with every edit of the questions or their parts: app servers keep the "
            "questions in memory under this stamp."
        ),
    )

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind"],
                name="questionnaire_one_per_year_and_kind",
                violation_error_message=_(
                    "There is already a questionnaire of this kind for that year."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title


class TableKind(models.TextChoices):
    NONE = "", _("No table")
    EVENTS = "events", _("Events")
    RESOURCES = "resources", _("Resources")
    INITIATIVES = "initiatives", _("Initiatives and partnerships")


class Question(models.Model):
    """One numbered question: a narrative box, named parts, a repeatable table, or a mix."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    number = models.CharField(_("number"), max_length=16, help_text=_("As printed: 1, 5, 5.1, A1."))
    number_printed = models.BooleanField(
        _("number printed"),
        default=True,
        help_text=_(
            "Untick when the form does not print this number (2017's “Background”): the number "
            "then only orders and names the question here."
        ),
    )
    heading_printed = models.BooleanField(
        _("question printed"),
        default=True,
        help_text=_(
            "Untick when the form shows only the answers (a capture without the questions' text)."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    section = models.CharField(
        _("section heading"),
        max_length=300,
        blank=True,
        help_text=_("Heading shown before this question when it starts a new group."),
    )
    prompt = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    has_narrative = models.BooleanField(
        _("has a narrative answer"),
        default=True,
        help_text=_("Untick for questions answered only with parts or a table."),
    )
    word_limit = models.PositiveIntegerField(
        _("word limit"),
        null=True,
        blank=True,
        help_text=_("Limit of the narrative answer in words; empty for no limit."),
    )
    word_minimum = models.PositiveIntegerField(
        _("minimum words"),
        null=True,
        blank=True,
        help_text=_(
            "Fewest words the narrative answer must have (“200-800 words”); empty for none."
        ),
    )
    limit_note = models.CharField(
        _("limit note"),
        max_length=200,
        blank=True,
        help_text=_(
            "The limit as the form states it after the question, e.g. “(max 200 words under each "
            "transition)”; empty to write it from the limits (“(max 200 words)”)."
        ),
    )
    table = models.CharField(
        _("table"), max_length=20, choices=TableKind.choices, blank=True, default=TableKind.NONE
    )
    max_rows = models.PositiveSmallIntegerField(
        _("maximum rows"),
        null=True,
        blank=True,
        help_text=_("For “select up to three”: the most rows the table may hold."),
    )
    row_description_word_limit = models.PositiveIntegerField(
        _("row description word limit"),
        null=True,
        blank=True,
        help_text=_("Word limit of each row's description (150 in recent years)."),
    )

    class Meta:
        ordering = ["questionnaire", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"],
                name="question_number_unique_in_questionnaire",
                violation_error_message=_(
                    "Another question of this questionnaire has this number."
                ),
            ),
            _positive_or_null("word_limit", "question_word_limit_positive"),
            _positive_or_null("word_minimum", "question_word_minimum_positive"),
            _positive_or_null("max_rows", "question_max_rows_positive"),
            _positive_or_null("row_description_word_limit", "question_row_limit_positive"),
            models.CheckConstraint(
                condition=models.Q(table__in=TableKind.values),
                name="question_table_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.prompt[:80]}"

    def clean(self) -> None:
        """Rules an administrator can break in the admin form; shared by every form."""
        errors = {}
        if not self.table:
            if self.max_rows:
                errors["max_rows"] = ValidationError(
                    _("A maximum number of rows needs a table."), code="rows_without_table"
                )
            if self.row_description_word_limit:
                errors["row_description_word_limit"] = ValidationError(
                    _("A row description limit needs a table."), code="row_limit_without_table"
                )
        if not self.has_narrative and self.word_limit:
            errors["word_limit"] = ValidationError(
                _(
                    "A word limit needs a narrative answer: tick “has a narrative answer” or clear the limit."
                ),
                code="limit_without_narrative",
            )
        if self.word_minimum and self.word_limit and self.word_minimum > self.word_limit:
            errors["word_minimum"] = ValidationError(
                _("The minimum is above the limit."), code="minimum_above_limit"
            )
        if errors:
            raise ValidationError(errors)

    def limit_text(self) -> str:
        """The limit note as the form prints it after the question ("" for none)."""
        return self.limit_note or limit_note_from(self.word_minimum, self.word_limit)


class QuestionPart(models.Model):
    """A named sub-answer of a question (a transition, a priority area) with its own limit."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="parts", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    number = models.CharField(
        _("number"),
        max_length=16,
        blank=True,
        help_text=_("As the form prints it before the title: “1)”, “(iii)”; empty for none."),
    )
    title = models.CharField(_("title"), max_length=500)
    word_limit = models.PositiveIntegerField(_("word limit"), null=True, blank=True)
    word_minimum = models.PositiveIntegerField(_("minimum words"), null=True, blank=True)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("question part")
        verbose_name_plural = _("question parts")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "title"],
                name="part_title_unique_in_question",
                violation_error_message=_("Another part of this question has this title."),
            ),
            _positive_or_null("word_limit", "part_word_limit_positive"),
            _positive_or_null("word_minimum", "part_word_minimum_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.word_minimum and self.word_limit and self.word_minimum > self.word_limit:
            raise ValidationError(
                {"word_minimum": _("The minimum is above the limit.")}, code="minimum_above_limit"
            )

    @property
    def heading(self) -> str:
        """The title as printed, with its number: "1) Food systems"."""
        return f"{self.number} {self.title}" if self.number else self.title


class RowField(models.Model):
    """A field of a table question's rows as that year's form words it.

    "Website (if applicable)" in 2024, "Link to access" in 2021; the guidance is what the
    form asks under the label. Without any, a question uses the app's labels
    (``rowfields.ROW_FIELDS``).
    """

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="row_fields", verbose_name=_("question")
    )
    field = models.CharField(
        _("field"),
        max_length=40,
        help_text=_("name, dates, location, sdgs, description, website, partners, …"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=300)
    guidance = models.TextField(
        _("guidance"),
        blank=True,
        help_text=_(
            "What the form asks under or after the label, e.g. “please include a short summary of "
            "the event's mandate”."
        ),
    )

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("row field")
        verbose_name_plural = _("row fields")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "field"],
                name="row_field_once_per_question",
                violation_error_message=_("This field is already labelled for this question."),
            )
        ]

    def __str__(self) -> str:
        return self.label


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    FINALIZED = "finalized", _("Finalized")


def site_languages() -> list[tuple[str, str]]:
    """The site's languages (settings.LANGUAGES), read when asked: adding one needs no migration."""
    return list(settings.LANGUAGES)


class Submission(models.Model):
    """One organization's answer to one questionnaire."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("organization"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("questionnaire"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Who finalized it and when, while it is finalized (the timeline keeps every time).
    finalized_at = models.DateTimeField(_("finalized on"), null=True, blank=True, editable=False)
    document_language = models.CharField(
        _("language of the documents"),
        max_length=10,
        choices=site_languages,
        default="en",
        help_text=_(
            "Language of the labels the Word, PDF and print documents add (status, cover, "
            "“Relevant SDGs”); the questionnaire's text and the answers stay as written."
        ),
    )
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("finalized by"),
    )

    class Meta:
        ordering = ["organization", "-questionnaire__year", "questionnaire__kind"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "questionnaire"],
                name="submission_one_per_organization_and_questionnaire",
                violation_error_message=_(
                    "This organization already has a submission for this questionnaire."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SubmissionStatus.values),
                name="submission_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} – {self.questionnaire}"

    def get_absolute_url(self) -> str:
        return reverse("submission_detail", kwargs={"pk": self.pk})


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


def _words(text: str) -> dict[str, int]:
    return {"words": count_words(text)}


def _description_words(text: str) -> dict[str, int]:
    return {"description_words": count_words(text)}


class DerivedQuerySet(models.QuerySet):
    """Keeps the fields a model derives from another one (a text's stored word count, a
    name's matching key) with it, whichever way it is written: ``save()``, ``create()``,
    ``update()``, ``bulk_create()`` and ``bulk_update()``."""

    def update(self, **kwargs):
        for source, (derived, derive) in self.model.DERIVED.items():
            # bulk_update writes a field and what derives from it together (as CASE
            # expressions): kept as they are.
            if source in kwargs and not any(name in kwargs for name in derived):
                value = kwargs[source]
                if not isinstance(value, str):
                    raise TypeError(
                        f"{source} must be written as text: {', '.join(derived)} follow it"
                    )
                kwargs.update(derive(value))
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        sources = [source for source in self.model.DERIVED if source in fields]
        if sources:
            for obj in objs:
                obj.derive(*sources)
            fields += [name for name in self.model.derived_from(sources) if name not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)


class UnorderedManager(models.Manager):
    """The base manager of answers and rows (``Meta.base_manager_name``): what Django and
    django-reversion read by primary key themselves (saving, refreshing, deleting, checking
    that what a revision records still exists) needs no order, and the default ordering
    joins the submission's organization and questionnaire, the question and the part."""

    def get_queryset(self):
        return super().get_queryset().order_by()


class Derived(models.Model):
    """A model that stores what it derives from some of its fields beside them (pages read
    the stored values, never recompute them)."""

    # source field → (the fields derived from it, the function giving them from its value)
    DERIVED: dict[str, tuple[tuple[str, ...], Callable[[str], dict]]] = {}

    objects = DerivedQuerySet.as_manager()
    unordered = UnorderedManager()

    class Meta:
        abstract = True
        base_manager_name = "unordered"

    def save(self, *args, **kwargs):
        self.derive()
        fields = kwargs.get("update_fields")
        if fields is not None:
            extra = self.derived_from([source for source in self.DERIVED if source in fields])
            if extra:
                kwargs["update_fields"] = {*fields, *extra}
        super().save(*args, **kwargs)

    def derive(self, *sources: str) -> None:
        """Set the fields derived from ``sources`` (all of them by default)."""
        for source in sources or self.DERIVED:
            _derived, derive = self.DERIVED[source]
            for name, value in derive(getattr(self, source) or "").items():
                setattr(self, name, value)

    @classmethod
    def derived_from(cls, sources) -> list[str]:
        return [name for source in sources for name in cls.DERIVED[source][0]]

    @classmethod
    def derived_values(cls, values: dict) -> dict:
        """``values`` (field name → value) with the fields derived from those it holds."""
        derived = {}
        for source, (_names, derive) in cls.DERIVED.items():
            if source in values:
                derived |= derive(values[source] or "")
        return {**values, **derived}


class Answer(Derived):
    """The narrative text of a question, or of one of its parts, in a submission."""

    DERIVED = {"text": (("words",), _words)}

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    part = models.ForeignKey(
        QuestionPart,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("part"),
    )
    text = models.TextField(
        _("answer"), blank=True, validators=[MaxLengthValidator(MAX_TEXT_LENGTH)]
    )
    words = models.PositiveIntegerField(_("words"), default=0, editable=False)
    nothing_to_report = models.BooleanField(
        _("nothing to report this year"),
        default=False,
        help_text=_(
            "Someone said that this box (or, for a question with only a table, the table) is "
            "empty on purpose; it then passes review empty."
        ),
    )
    # Optimistic locking: a save names the version it was edited from, and is
    # refused when someone saved in between (see the authoring services).
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(Derived.Meta):
        ordering = ["submission", "question__position", "part__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"],
                condition=models.Q(part__isnull=True),
                name="answer_one_per_question",
                violation_error_message=_("This question already has an answer."),
            ),
            models.UniqueConstraint(
                fields=["submission", "part"],
                condition=models.Q(part__isnull=False),
                name="answer_one_per_part",
                violation_error_message=_("This part already has an answer."),
            ),
        ]

    def __str__(self) -> str:
        label = self.part.title if self.part_id else self.question.number
        return f"{self.submission} – {label}"


class TableRow(Derived):
    """Fields every repeatable table row has: its place, SDGs, description and website."""

    # The description's words, and what the row is matched by across years (insight.matching).
    DERIVED = {
        "description": (("description_words",), _description_words),
        "name": (("match_key", "acronym"), row_match_fields),
    }

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("submission"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Blank while drafting: a half-filled row is saved; sending for review requires a name.
    name = models.CharField(_("name"), max_length=500, blank=True)
    # What the row is matched by across years (insight.matching), written with every name.
    match_key = models.CharField(
        _("name as matched"),
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text=_("The name in lower case, without punctuation or years."),
    )
    acronym = models.CharField(
        _("acronym"),
        max_length=ACRONYM_MAX_LENGTH,
        blank=True,
        default="",
        editable=False,
        help_text=_("The acronym the name gives in brackets, in lower case."),
    )
    sdgs = models.ManyToManyField(
        SDG, blank=True, related_name="%(class)ss", verbose_name=_("relevant SDGs")
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(MAX_TEXT_LENGTH)]
    )
    description_words = models.PositiveIntegerField(
        _("words of the description"), default=0, editable=False
    )
    website = models.CharField(
        _("website"), max_length=1000, blank=True, validators=[validate_website]
    )
    sdgs_text = models.CharField(
        _("relevant SDGs as written"),
        max_length=500,
        blank=True,
        help_text=_(
            "The SDGs as the imported document wrote them (“10.7, 16.2”, “All 17 SDGs”); "
            "cleared when someone changes the row's SDGs."
        ),
    )
    carried_from_year = models.PositiveSmallIntegerField(
        _("carried forward from"),
        null=True,
        blank=True,
        help_text=_("Year of the submission this row was copied from, until it is edited."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set by the browser on a row it adds: when the answer to that save is lost, the retry
    # finds the row instead of adding it a second time.
    client_key = models.CharField(
        _("key given by the browser that added the row"),
        max_length=36,
        blank=True,
        default="",
        editable=False,
    )

    class Meta(Derived.Meta):
        abstract = True
        ordering = ["submission", "question__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "client_key"],
                condition=~models.Q(client_key=""),
                name="%(app_label)s_%(class)s_one_row_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return self.name or gettext("(unnamed row)")


class Event(TableRow):
    """An intergovernmentally mandated conference, forum or event."""

    dates = models.CharField(
        _("event dates"),
        max_length=200,
        blank=True,
        help_text=_("As written, e.g. 21-22 May 2024."),
    )
    location = models.CharField(_("event location (city, country)"), max_length=300, blank=True)

    class Meta(TableRow.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")


class Resource(TableRow):
    """A publication, toolkit or other resource."""

    publishing_entities = models.CharField(
        _("publishing entity/entities"), max_length=500, blank=True
    )
    target_audience = models.CharField(_("target audience"), max_length=500, blank=True)
    languages = models.CharField(_("language(s)"), max_length=300, blank=True)

    class Meta(TableRow.Meta):
        verbose_name = _("resource")
        verbose_name_plural = _("resources")


class Initiative(TableRow):
    """An initiative or partnership."""

    partners = models.TextField(_("partners"), blank=True, validators=[MaxLengthValidator(5000)])
    member_states = models.TextField(
        _("Member States benefiting"), blank=True, validators=[MaxLengthValidator(5000)]
    )

    class Meta(TableRow.Meta):
        verbose_name = _("initiative or partnership")
        verbose_name_plural = _("initiatives and partnerships")


ROW_MODELS: dict[str, type[TableRow]] = {
    TableKind.EVENTS: Event,
    TableKind.RESOURCES: Resource,
    TableKind.INITIATIVES: Initiative,
}


class QuestionReview(models.Model):
    """Where one question of a submission stands in review: draft, in review, approved."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("question")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["submission", "question__position"]
        verbose_name = _("question review")
        verbose_name_plural = _("question reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="review_one_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} – {self.question.number}: {self.get_status_display()}"


class Assignment(models.Model):
    """A question (or one of its table rows) given to a contributor, with a due date."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("submission"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("question")
    )
    row_id = models.PositiveIntegerField(
        _("row"), null=True, blank=True, help_text=_("One row of the question's table, or empty.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        ordering = ["due_date", "question__position"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"],
                condition=models.Q(row_id__isnull=True),
                name="assignment_one_per_question",
                violation_error_message=_("This question is already assigned."),
            ),
            models.UniqueConstraint(
                fields=["submission", "question", "row_id"],
                condition=models.Q(row_id__isnull=False),
                name="assignment_one_per_row",
                violation_error_message=_("This row is already assigned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.number} → {self.assignee}"


class ReviewComment(models.Model):
    """A reviewer's (or anyone's) comment on an answer, a part or a table row; replies nest once."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="comments", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="comments", verbose_name=_("question")
    )
    part = models.ForeignKey(
        QuestionPart,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("part"),
    )
    row_id = models.PositiveIntegerField(_("row"), null=True, blank=True)
    row_name = models.CharField(_("row name"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"), validators=[MaxLengthValidator(5000)])
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.text[:80]


class UnplacedText(models.Model):
    """Text an import could not place, kept with the submission until someone dismisses it.

    Never merged into another answer, never dropped without the coordinator knowing: the
    overview lists it, with where it was in the document.
    """

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="unplaced_texts",
        verbose_name=_("submission"),
    )
    where = models.CharField(
        _("where in the document"), max_length=100, help_text=_("“line 12”, “paragraph 4”.")
    )
    reason = models.CharField(_("why it was not placed"), max_length=500)
    text = models.TextField(_("text"), validators=[MaxLengthValidator(MAX_TEXT_LENGTH)])
    document = models.CharField(_("document"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("text the import could not place")
        verbose_name_plural = _("texts the import could not place")

    def __str__(self) -> str:
        return f"{self.where}: {self.text[:60]}"


class Presence(models.Model):
    """Who has which question of a submission open, from the page's heartbeat.

    In the database, so that every app server sees everyone; a heartbeat older than
    ``collaboration.PRESENCE_SECONDS`` means the page was closed.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="+", verbose_name=_("question")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    editing = models.BooleanField(_("typing"), default=False)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "user", "question"], name="presence_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.question}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    QUESTION_STATUS = "question_status", _("Question status changed")
    SUBMISSION_STATUS = "submission_status", _("Submission status changed")
    RESTORE = "restore", _("Old version restored")
    ASSIGNMENT = "assignment", _("Assignment")
    IMPORT = "import", _("Import")
    CARRY_FORWARD = "carry_forward", _("Carried forward")
    LIBRARY_REUSE = "library_reuse", _("Reused from the library")
    BACKUP_RESTORED = "backup_restored", _("Restored from a backup")
    ADMIN_EDIT = "admin_edit", _("Changed in the administration")


class SubmissionEvent(models.Model):
    """One line of a submission's timeline: transitions, restores, assignments, imports."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="events_log",
        verbose_name=_("submission"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status} → {self.to_status}"


# The version index's name of the answers' table (a row's is its table's, "events" …).
ANSWERS = "answers"


class VersionIndex(models.Model):
    """Where a recorded version of an answer or a table row belongs, in indexed columns.

    django-reversion stores a version as serialized text; finding an answer's versions by
    searching that text reads every organization's history. ``history`` writes one of these
    for every version it records, in the same transaction, and reads versions through them.
    Plain ids, not foreign keys: a version outlives its row, its answer and even its
    submission (a backup restore replaces it), and stays findable by where it was.
    """

    version = models.OneToOneField(
        "reversion.Version",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="index",
        verbose_name=_("version"),
    )
    # "answers", or the row's table ("events", "resources", "initiatives").
    table = models.CharField(_("table"), max_length=20)
    object_id = models.PositiveIntegerField(_("answer or row id"))
    submission_id = models.PositiveIntegerField(_("submission id"))
    question_id = models.PositiveIntegerField(_("question id"))
    part_id = models.PositiveIntegerField(_("part id"), null=True, blank=True)
    number = models.PositiveIntegerField(_("version number of the answer or row"))
    # On the first version of a row added back from the history: the removed row it came from.
    recovered_from = models.PositiveIntegerField(_("recovered from row id"), null=True, blank=True)

    class Meta:
        verbose_name = _("version index entry")
        verbose_name_plural = _("version index entries")
        indexes = [
            # An answer's slot (a submission's question or part) and a question's rows, each
            # row's versions together (its last one is found without sorting).
            models.Index(
                fields=["table", "submission_id", "question_id", "part_id", "object_id"],
                name="version_index_slot",
            ),
            # One answer's or row's versions, and the one at a version number.
            models.Index(fields=["table", "object_id", "number"], name="version_index_object"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.object_id} v{self.number}"


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One person's request for a document of a submission, made by the task worker.

    The finished file is kept here, in the database, so that any app server can hand it over;
    old jobs are removed when new ones are made (``exports.jobs.export_jobs_prune``).
    """

    UNFINISHED = (ExportJobStatus.PENDING, ExportJobStatus.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("submission")
    )
    format = models.CharField(_("format"), max_length=10)
    # The document is written in the language of the page the export was asked from.
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportJobStatus.choices,
        default=ExportJobStatus.PENDING,
    )
    step = models.CharField(_("progress"), max_length=20, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            # A second click while the export is waiting or running reuses it.
            models.UniqueConstraint(
                fields=["user", "submission", "format"],
                condition=models.Q(status__in=["pending", "running"]),
                name="export_job_one_unfinished_per_user_and_format",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ExportJobStatus.values),
                name="export_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.format} – {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("export_job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status not in self.UNFINISHED
