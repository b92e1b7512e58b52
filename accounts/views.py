"""Sign-in and sign-out, invitations, the members page and the organization switcher.

Thin: each page reads with selectors and writes with ``services``, where the rules are.
"""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import oidc, services
from .forms import InviteForm, LoginForm, PasswordAccountForm, RoleForm
from .middleware import SESSION_KEY
from .models import FormerMembership, Identity, Invitation, Membership, OrganizationEvent, Role
from .selectors import CURRENT_ORGANIZATION_KEY, current_organization, remember_organizations
from .services import language_supported, preference_set_language


class LoginView(auth_views.LoginView):
    """The login page: the provider's button when one is set up, and the password form."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "provider_enabled": oidc.enabled(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
            "password_for_staff_only": settings.PASSWORD_LOGIN == "staff",
        }


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the app's session, then the provider's when it offers an end-session endpoint."""
    provider_url = oidc.provider_logout_url(request)
    auth.logout(request)
    return redirect(provider_url or settings.LOGOUT_REDIRECT_URL)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: join with the provider, with a password, or as oneself."""
    found = services.invitation_find(token)
    context = {
        "invitation": found.invitation,
        "problem": found.problem,
        "provider_enabled": oidc.enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "password_allowed": settings.PASSWORD_LOGIN == "all",
        "usable": not found.problem,
    }
    if found.problem:
        return render(request, "accounts/invitation.html", context, status=410)
    invitation = found.invitation
    form = PasswordAccountForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "provider" and oidc.enabled():
                services.invitation_remember(request, invitation)
                return redirect("oidc_start")
            if action == "accept" and request.user.is_authenticated:
                services.invitation_accept(invitation=invitation, user=request.user)
                remember_organizations(request, request.user)
                messages.success(
                    request,
                    _("You now have access to %(org)s.") % {"org": invitation.organization.name},
                )
                return redirect("home")
            if action == "password":
                form = PasswordAccountForm(request.POST)
                if form.is_valid():
                    user = services.invitation_accept_with_password(
                        invitation=invitation,
                        username=form.cleaned_data["username"],
                        password=form.cleaned_data["password1"],
                    )
                    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    return redirect("home")
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
    context["form"] = form
    return render(request, "accounts/invitation.html", context)


@require_POST
@login_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Remember the organization chosen in the header ("" for all) and go back."""
    code = request.POST.get("organization", "")
    codes = {o["code"] for o in request.session.get("accounts_organizations", [])}
    request.session[CURRENT_ORGANIZATION_KEY] = code if code in codes else ""
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "home"
    # The pages read the switched-to organization when no ?organization= is given.
    return redirect(back.split("?")[0] if back != "home" else back)


def _members_organization(request):
    organization = current_organization(request, request.user)
    if organization is None:
        raise PermissionDenied(_("You are not a member of any organization yet."))
    services.require_coordinator(request.user, organization)
    return organization


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """Who has access to the organization, invitations, people waiting, and the history."""
    organization = _members_organization(request)
    invite_form = InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "invite" and invite_form.is_valid():
                services.member_invite(
                    organization=organization, by=request.user, **invite_form.cleaned_data
                )
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.")
                    % {"email": invite_form.cleaned_data["email"]},
                )
                return redirect(f"{request.path}?organization={organization.code}")
            if request.POST.get("action") == "approve":
                identity = get_object_or_404(
                    Identity, pk=request.POST.get("identity"), awaiting_organization=organization
                )
                form = RoleForm(request.POST)
                if form.is_valid():
                    services.member_approve(
                        identity=identity,
                        organization=organization,
                        role=form.cleaned_data["role"],
                        by=request.user,
                    )
                    messages.success(request, _("Access given."))
                    return redirect(f"{request.path}?organization={organization.code}")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    memberships = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    context = {
        "organization": organization,
        "memberships": memberships,
        "role_choices": Role.choices,
        "former": FormerMembership.objects.filter(organization=organization).select_related(
            "user", "ended_by"
        ),
        "waiting": Identity.objects.filter(awaiting_organization=organization).select_related(
            "user"
        ),
        "invitations": Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True
        ).select_related("invited_by")[:50],
        "events": OrganizationEvent.objects.filter(organization=organization).select_related(
            "person", "actor"
        )[:50],
        "invite_form": invite_form,
        "invitation_days": settings.INVITATION_DAYS,
        "now": timezone.now(),
    }
    return render(request, "accounts/members.html", context)


@require_POST
@login_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("organization", "user"),
        pk=pk,
        organization__memberships__user=request.user,
    )
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.member_change_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {
                    "name": membership.user.get_full_name() or membership.user.get_username(),
                    "role": Role(form.cleaned_data["role"]).label,
                },
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if membership.user == request.user:
            remember_organizations(request, request.user)
    return redirect(reverse("members") + f"?organization={membership.organization.code}")


@login_required
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a member's access; lists their open assignments to reassign."""
    membership = get_object_or_404(
        Membership.objects.select_related("organization", "user"),
        pk=pk,
        organization__memberships__user=request.user,
    )
    organization, person = membership.organization, membership.user
    services.require_coordinator(request.user, organization)
    context = {"membership": membership, "organization": organization, "person": person}
    if request.method == "POST":
        try:
            context["assignments"] = services.member_deactivate(
                membership=membership, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse("members") + f"?organization={organization.code}")
        context["done"] = True
        return render(request, "accounts/member_deactivate.html", context)
    context["assignments"] = services.open_assignments(user=person, organization=organization)
    return render(request, "accounts/member_deactivate.html", context)


@require_POST
def set_language(request):
    """Store the chosen language with the person (and in a cookie before login), then go back."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if not language_supported(language):
        return response
    if request.user.is_authenticated:
        preference_set_language(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
