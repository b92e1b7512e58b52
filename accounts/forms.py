"""Forms of signing in, invitations and the members page; the rules are in services."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Role


class LoginForm(AuthenticationForm):
    """The password form; with DJANGO_PASSWORD_LOGIN=staff, for administrators only."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if settings.PASSWORD_LOGIN == "staff" and not user.is_staff:
            raise forms.ValidationError(
                _("Sign in with %(provider)s: here, passwords are for administrators only.")
                % {"provider": settings.OIDC_PROVIDER_NAME},
                code="password_off",
            )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(
        label=_("Full name"),
        max_length=300,
        required=False,
        help_text=_("Shown on pages until their sign-in service gives one."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PasswordAccountForm(forms.Form):
    """Join from an invitation with a username and a password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
