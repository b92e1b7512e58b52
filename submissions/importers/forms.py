"""The coordinator's import form: a Word or text file, or text pasted in a box, read before
anything is parsed."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..text import MAX_TEXT_LENGTH
from .document import DocumentError
from .layouts import LAYOUTS
from .services import MAX_WORD_BYTES, SourceDocument, document_read

MAX_PASTED_CHARACTERS = 40 * MAX_TEXT_LENGTH  # a whole submission, well beyond its limits


class ImportUploadForm(forms.Form):
    document = forms.FileField(
        label=_("Document"),
        help_text=_(
            "A Word document (.docx) or plain text (.txt, UTF-8): last year's reply, the Word "
            "template filled in, or this application's own export. At most 10 MB."
        ),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,.txt,text/plain,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )
    pasted = forms.CharField(
        label=_("Or paste the text"),
        help_text=_(
            "Text copied from the published page, an e-mail or a PDF: lines broken inside a "
            "paragraph and words hyphenated at a line's end are joined again."
        ),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    layout = forms.ChoiceField(
        label=_("Layout of a text"),
        choices=[("", _("Detect it from the document")), *LAYOUTS.items()],
        required=False,
    )
    replace = forms.BooleanField(
        label=_("Replace the answers and table rows this submission already holds"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's <form> carries the buttons
        self.fields["pasted"].widget.attrs.pop("maxlength", None)

    def clean(self):
        """The document read once (``source``): from the file, else from the pasted text."""
        cleaned = super().clean()
        upload, pasted = cleaned.get("document"), cleaned.get("pasted") or ""
        if upload and pasted.strip():
            raise ValidationError(_("Give a file or paste a text, not both."), code="file_and_text")
        if not upload and not pasted.strip():
            raise ValidationError(
                _("Choose a Word or text file, or paste the text of the submission."),
                code="nothing",
            )
        try:
            if upload:
                if upload.size > MAX_WORD_BYTES:
                    # Checked before reading, so a huge upload is not loaded into memory.
                    raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
                self.source: SourceDocument = document_read(upload.read())
            else:
                if len(pasted) > MAX_PASTED_CHARACTERS:
                    raise ValidationError(_("The pasted text is too long."), code="too_long")
                self.source = document_read(pasted)
        except DocumentError as error:
            field = "document" if upload else "pasted"
            self.add_error(field, ValidationError(str(error), code="unreadable"))
        return cleaned
