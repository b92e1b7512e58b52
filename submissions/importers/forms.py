"""The coordinator's upload form: a UTF-8 text file, checked before anything is parsed."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from .document import DocumentError
from .layouts import LAYOUTS
from .services import MAX_DOCUMENT_BYTES, document_decode


class ImportUploadForm(forms.Form):
    document = forms.FileField(
        label=_("Document"),
        help_text=_(
            "A .txt file in UTF-8, at most 2 MB, in one of the layouts of the seed documents."
        ),
        validators=[FileExtensionValidator(allowed_extensions=["txt"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
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

    def clean_document(self) -> str:
        """The file's text (not the file): refused when too large, binary or not UTF-8."""
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            # Checked before reading, so a huge upload is not loaded into memory.
            raise ValidationError(_("The file is larger than 2 MB."), code="too_large")
        try:
            return document_decode(upload.read())
        except DocumentError as error:
            raise ValidationError(str(error), code="not_text") from None
