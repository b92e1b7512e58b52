from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Questionnaires and submissions")

    def ready(self) -> None:
        # Registers the models with django-reversion at start-up, before any write.
        from . import history  # noqa: F401
