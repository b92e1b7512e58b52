from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organizations and people")

    def ready(self):
        from . import middleware  # noqa: F401  (connects the login hook that reads the language)
