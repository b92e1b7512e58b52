from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .selectors import remember_organizations

        def on_login(sender, request, user, **kwargs):
            # The header's organizations, read once here rather than on every page.
            if request is not None and hasattr(request, "session"):
                remember_organizations(request, user)

        user_logged_in.connect(on_login, weak=False, dispatch_uid="accounts_remember_organizations")

        from . import middleware  # noqa: F401  (connects the login hook that reads the language)
