"""Who has access, and how they get it: sign-in with the provider, invitations, members.

Every rule about people lives here, whatever calls it (the provider's callback, the members
page, the invitation page, tests): who a provider's subject is, which tenants and domains
are let in, the organization and role a first sign-in gets, that an invitation works once
and expires, that an organization always keeps a coordinator. Each change is a line of the
organization's timeline (``OrganizationEvent``) and a mail to the person, sent after commit.
"""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    FormerMembership,
    Identity,
    Invitation,
    Membership,
    Organization,
    OrganizationEvent,
    OrganizationEventKind,
    Preference,
    Role,
)
from .selectors import membership_role, person_name

logger = logging.getLogger(__name__)

# The session key under which an invitation's token hash waits for the provider's answer.
INVITATION_SESSION_KEY = "accounts_invitation"


class SignInError(Exception):
    """A sign-in refused by the site's rules; the message is for the person."""


class MembersError(ValidationError):
    """A change to an organization's members refused by a rule; the message says which."""


# ---------------------------------------------------------------------------------------------
# Mail and timeline


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail(addresses, subject: str, template: str, context: dict) -> None:
    addresses = sorted({a for a in addresses if a})
    if not addresses:
        return
    body = render_to_string(f"accounts/email/{template}.txt", context)

    def deliver() -> None:
        try:
            send_mail(subject, body, None, addresses)
        except Exception:  # a mail server problem must not undo the change
            logger.exception("Could not send %r to %s", subject, addresses)

    transaction.on_commit(deliver)


def _record(
    organization: Organization,
    kind: str,
    *,
    person=None,
    label: str = "",
    actor=None,
    from_role: str = "",
    to_role: str = "",
    message: str = "",
) -> OrganizationEvent:
    return OrganizationEvent.objects.create(
        organization=organization,
        kind=kind,
        person=person,
        person_label=label or person_name(person),
        actor=actor,
        from_role=from_role,
        to_role=to_role,
        message=message,
    )


def _role_label(role: str) -> str:
    return str(Role(role).label)


# ---------------------------------------------------------------------------------------------
# Sign-in with the provider


def _subject(claims: dict) -> str:
    # Entra's sub is pairwise (one per application); oid is the person's id in the tenant.
    subject = claims.get("oid") or claims.get("sub")
    if not subject:
        raise SignInError(_("The sign-in service sent no “sub” claim: who you are is unknown."))
    return str(subject)


def _address(claims: dict) -> str:
    """The person's e-mail address: ``email``, else Entra's ``preferred_username`` if one."""
    for claim in ("email", "preferred_username", "upn"):
        value = str(claims.get(claim) or "").strip()
        if "@" in value:
            return value
    return ""


def check_claims(claims: dict) -> None:
    """Refuse a tenant or domain not let in (DJANGO_OIDC_ALLOWED_TENANTS / _DOMAINS)."""
    tenants = settings.OIDC_ALLOWED_TENANTS
    if tenants:
        tenant = claims.get("tid")
        if not tenant:
            raise SignInError(
                _(
                    "The sign-in service sent no “tid” claim (your organization's tenant), "
                    "which this site needs to let you in."
                )
            )
        if tenant not in tenants:
            raise SignInError(
                _(
                    "Your account belongs to an organization (tenant %(tenant)s) that is not "
                    "let in here. Sign in with your work account of the organization."
                )
                % {"tenant": str(tenant)[:60]}
            )
    domains = settings.OIDC_ALLOWED_DOMAINS
    if domains:
        address = _address(claims)
        if not address:
            raise SignInError(
                _(
                    "The sign-in service sent no e-mail address (“email” or "
                    "“preferred_username” claim), which this site needs to let you in."
                )
            )
        if address.rpartition("@")[2].lower() not in domains:
            raise SignInError(
                _("Accounts of %(domain)s are not let in here.")
                % {"domain": address.rpartition("@")[2][:100]}
            )


def _names(claims: dict) -> tuple[str, str]:
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("family_name") or "").strip()
    if given or family:
        return given[:150], family[:150]
    return str(claims.get("name") or "").strip()[:150], ""


def _free_username(claims: dict) -> str:
    User = get_user_model()
    base = str(claims.get("preferred_username") or _address(claims) or "user").strip()
    base = re.sub(r"[^\w.@+-]", "", base)[:120] or "user"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


def role_map() -> dict[str, tuple[str, str]]:
    """DJANGO_OIDC_ROLE_MAP parsed: claim value -> (organization code, role)."""
    mapping = {}
    for item in settings.OIDC_ROLE_MAP:
        value, _sep, target = item.rpartition("=")
        code, _sep, role = target.partition(":")
        if value and code and role in Role.values:
            mapping[value.strip()] = (code.strip(), role)
        else:
            logger.error("DJANGO_OIDC_ROLE_MAP: %r is not value=ORG:role", item)
    return mapping


def mapped_memberships(claims: dict) -> list[tuple[Organization, str]]:
    """The organizations and roles the configured claim's values give (strongest role wins)."""
    values = claims.get(settings.OIDC_ROLE_CLAIM) or []
    if isinstance(values, str):
        values = [values]
    mapping = role_map()
    rank = {Role.CONTRIBUTOR: 0, Role.REVIEWER: 1, Role.COORDINATOR: 2}
    best: dict[str, str] = {}
    for value in values:
        if str(value) in mapping:
            code, role = mapping[str(value)]
            if code not in best or rank[Role(role)] > rank[Role(best[code])]:
                best[code] = role
    organizations = Organization.objects.filter(code__in=best)
    return [(o, best[o.code]) for o in organizations]


def _approval_organization() -> Organization | None:
    code = settings.OIDC_APPROVAL_ORGANIZATION
    if code:
        return Organization.objects.filter(code=code).first()
    only = list(Organization.objects.order_by()[:2])
    return only[0] if len(only) == 1 else None


def awaiting_approval(user: AbstractBaseUser) -> bool:
    """Signed in with the provider, no role anywhere yet, and not an administrator."""
    return not user.is_staff and not Membership.objects.filter(user=user).exists()


@transaction.atomic
def identity_sign_in(*, issuer: str, claims: dict, request: HttpRequest | None = None):
    """The user the provider's verified claims are; a first sign-in creates the account.

    Matched on (issuer, subject), never on e-mail. A first sign-in takes the invitation the
    person came with, else the role the configured claim maps to, else waits for a
    coordinator's approval. Refused tenants, domains and missing claims create nothing.
    """
    check_claims(claims)
    subject = _subject(claims)
    User = get_user_model()
    identity = Identity.objects.select_for_update().filter(issuer=issuer, subject=subject).first()
    first, last = _names(claims)
    address = _address(claims)
    invitation = _session_invitation(request)
    created = identity is None
    if created:
        user = User(username=_free_username(claims), email=address)
        if invitation and not (first or last):
            first = invitation.name
        user.first_name, user.last_name = first, last
        if not address and invitation:
            user.email = invitation.email
        user.set_unusable_password()
        user.save()
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    user=user, issuer=issuer, subject=subject, tenant=str(claims.get("tid") or "")
                )
        except IntegrityError as error:  # the same person signing in twice at once
            raise SignInError(_("You are already being signed in. Please try again.")) from error
    else:
        user = identity.user
        changed = []
        if (first or last) and (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            changed += ["first_name", "last_name"]
        if address and user.email != address:
            user.email = address
            changed.append("email")
        if changed:
            user.save(update_fields=changed)
    identity.last_sign_in = timezone.now()
    if invitation:
        invitation_accept(invitation=invitation, user=user)
        request.session.pop(INVITATION_SESSION_KEY, None)
    if not user.is_active:
        identity.save(update_fields=["last_sign_in"])
        return user
    has_role = Membership.objects.filter(user=user).exists()
    if not invitation and not has_role and not user.former_memberships.exists():
        for organization, role in mapped_memberships(claims):
            Membership.objects.create(user=user, organization=organization, role=role)
            _record(
                organization,
                OrganizationEventKind.JOINED,
                person=user,
                to_role=role,
                message=_("Given by the sign-in service's “%(claim)s” claim.")
                % {"claim": settings.OIDC_ROLE_CLAIM},
            )
    if Membership.objects.filter(user=user).exists():
        identity.awaiting_organization = None
    elif created and not user.is_staff:
        identity.awaiting_organization = _approval_organization()
        if identity.awaiting_organization:
            _record(
                identity.awaiting_organization,
                OrganizationEventKind.SIGNED_IN_FIRST,
                person=user,
                message=_("Waiting for a coordinator's approval."),
            )
            _mail(
                [
                    m.user.email
                    for m in identity.awaiting_organization.memberships.filter(
                        role=Role.COORDINATOR
                    ).select_related("user")
                ],
                _("[%(org)s] %(name)s asks for access")
                % {"org": identity.awaiting_organization.code, "name": person_name(user)},
                "awaiting",
                {
                    "person": person_name(user),
                    "email": user.email,
                    "url": _absolute(reverse("members")),
                },
            )
    identity.save()
    return user


# ---------------------------------------------------------------------------------------------
# Coordinators manage their organization's members


def require_coordinator(user: AbstractBaseUser, organization: Organization) -> None:
    """Raise PermissionDenied, saying why, unless the user coordinates the organization."""
    role = membership_role(user=user, organization=organization)
    if role == Role.COORDINATOR:
        return
    if role is None:
        raise PermissionDenied(_("You are not a member of %(org)s.") % {"org": organization.name})
    raise PermissionDenied(
        _(
            "You are a %(role)s in %(org)s: only coordinators see and manage its members. "
            "Ask a coordinator to change your role if you need to."
        )
        % {"role": str(Role(role).label).lower(), "org": organization.name}
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return _absolute(reverse("invitation", args=[token]))


@transaction.atomic
def member_invite(
    *, organization: Organization, by: AbstractBaseUser, email: str, name: str, role: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and the link's secret token."""
    require_coordinator(by, organization)
    email = email.strip()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise MembersError(
            _("%(email)s already has access to %(org)s.")
            % {"email": email, "org": organization.code},
            code="already_member",
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        name=name.strip(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    _record(
        organization,
        OrganizationEventKind.INVITED,
        label=name.strip() or email,
        actor=by,
        to_role=role,
        message=email,
    )
    _mail(
        [email],
        _("%(name)s invites you to %(org)s's yearly submission")
        % {"name": person_name(by), "org": organization.code},
        "invitation",
        {
            "by": person_name(by),
            "name": name.strip(),
            "organization": organization,
            "role": _role_label(role),
            "url": invitation_url(token),
            "expires": invitation.expires_at,
        },
    )
    return invitation, token


@dataclass
class InvitationCheck:
    invitation: Invitation | None
    problem: str = ""


def invitation_find(token: str) -> InvitationCheck:
    """The invitation of a link, or why it cannot be used (unknown, used, expired)."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        return InvitationCheck(None, _("This invitation link is not valid. Check the address."))
    if invitation.accepted_at is not None:
        return InvitationCheck(
            invitation,
            _("This invitation was already used. Sign in, or ask for a new invitation."),
        )
    if invitation.expires_at <= timezone.now():
        return InvitationCheck(
            invitation,
            _("This invitation has expired. Ask %(name)s for a new one.")
            % {"name": person_name(invitation.invited_by) or _("your coordinator")},
        )
    return InvitationCheck(invitation)


def invitation_remember(request: HttpRequest, invitation: Invitation) -> None:
    """Keep the invitation for the provider's answer (the person signs in next)."""
    request.session[INVITATION_SESSION_KEY] = invitation.token_hash


def _session_invitation(request: HttpRequest | None) -> Invitation | None:
    if request is None or not hasattr(request, "session"):
        return None
    token_hash = request.session.get(INVITATION_SESSION_KEY)
    if not token_hash:
        return None
    invitation = Invitation.objects.select_related("organization").filter(
        token_hash=token_hash, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    return invitation.first()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """Give the user the invitation's role; the invitation is used up (once only)."""
    used = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not used:
        raise MembersError(_("This invitation was already used or has expired."), code="used")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    FormerMembership.objects.filter(user=user, organization=invitation.organization).delete()
    Identity.objects.filter(user=user).update(awaiting_organization=None)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    if created:
        _record(
            invitation.organization,
            OrganizationEventKind.JOINED,
            person=user,
            actor=invitation.invited_by,
            to_role=invitation.role,
            message=_("Accepted the invitation sent to %(email)s.") % {"email": invitation.email},
        )
    return membership


@transaction.atomic
def invitation_accept_with_password(
    *, invitation: Invitation, username: str, password: str
) -> AbstractBaseUser:
    """Create an account with a password from an invitation (no provider, or none used)."""
    if settings.PASSWORD_LOGIN != "all":
        raise MembersError(
            _("Sign in with %(provider)s: passwords are for administrators only here.")
            % {"provider": settings.OIDC_PROVIDER_NAME},
            code="password_off",
        )
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise MembersError(_("This username is taken. Choose another."), code="username_taken")
    first, _sep, last = invitation.name.partition(" ")
    user = User.objects.create_user(
        username, invitation.email, password, first_name=first[:150], last_name=last[:150]
    )
    invitation_accept(invitation=invitation, user=user)
    return user


def _coordinators_left(organization: Organization, without: Membership) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.COORDINATOR)
        .exclude(pk=without.pk)
        .count()
    )


def _locked_membership(membership: Membership) -> Membership:
    # Lock the organization's coordinators: two coordinators demoting each other at once must
    # not leave none (SQLite's IMMEDIATE transactions serialize writers anyway).
    list(
        Membership.objects.select_for_update().filter(
            organization_id=membership.organization_id, role=Role.COORDINATOR
        )
    )
    return Membership.objects.select_related("user", "organization").get(pk=membership.pk)


@transaction.atomic
def member_change_role(*, membership: Membership, role: str, by: AbstractBaseUser) -> Membership:
    """Change a member's role; the organization keeps at least one coordinator."""
    require_coordinator(by, membership.organization)
    membership = _locked_membership(membership)
    if role not in Role.values:
        raise MembersError(_("Choose a role."), code="role")
    old = membership.role
    if old == role:
        return membership
    if old == Role.COORDINATOR and not _coordinators_left(membership.organization, membership):
        raise MembersError(
            _("%(name)s is the last coordinator of %(org)s: make someone else a coordinator first.")
            % {"name": person_name(membership.user), "org": membership.organization.code},
            code="last_coordinator",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    _record(
        membership.organization,
        OrganizationEventKind.ROLE_CHANGED,
        person=membership.user,
        actor=by,
        from_role=old,
        to_role=role,
    )
    _mail(
        [membership.user.email],
        _("[%(org)s] Your role is now %(role)s")
        % {"org": membership.organization.code, "role": _role_label(role)},
        "role_changed",
        {
            "by": person_name(by),
            "organization": membership.organization,
            "old": _role_label(old),
            "new": _role_label(role),
            "url": _absolute(reverse("home")),
        },
    )
    return membership


def open_assignments(*, user: AbstractBaseUser, organization: Organization) -> list:
    """The person's assignments in the organization's submissions not yet finalized."""
    from submissions.models import Assignment, SubmissionStatus

    return list(
        Assignment.objects.filter(assignee=user, submission__organization=organization)
        .exclude(submission__status=SubmissionStatus.FINALIZED)
        .select_related("submission__questionnaire", "question")
        .order_by("submission__questionnaire__year", "question__position", "row_id")
    )


@transaction.atomic
def member_deactivate(*, membership: Membership, by: AbstractBaseUser) -> list:
    """Remove a member's access; their work and history stay. Returns their open assignments.

    The assignments stay theirs until a coordinator reassigns them (the list says where).
    Someone left with no organization can no longer sign in at all.
    """
    require_coordinator(by, membership.organization)
    membership = _locked_membership(membership)
    if membership.role == Role.COORDINATOR and not _coordinators_left(
        membership.organization, membership
    ):
        raise MembersError(
            _(
                "%(name)s is the last coordinator of %(org)s and cannot be deactivated: make "
                "someone else a coordinator first."
            )
            % {"name": person_name(membership.user), "org": membership.organization.code},
            code="last_coordinator",
        )
    user, organization = membership.user, membership.organization
    FormerMembership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": membership.role, "ended_by": by}
    )
    membership.delete()
    if not user.is_staff and not Membership.objects.filter(user=user).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    assignments = open_assignments(user=user, organization=organization)
    _record(
        organization,
        OrganizationEventKind.DEACTIVATED,
        person=user,
        actor=by,
        from_role=membership.role,
        message=_("%(count)d open assignments to reassign.") % {"count": len(assignments)}
        if assignments
        else "",
    )
    _mail(
        [user.email],
        _("[%(org)s] Your access was removed") % {"org": organization.code},
        "deactivated",
        {"by": person_name(by), "organization": organization},
    )
    return assignments


@transaction.atomic
def member_approve(
    *, identity: Identity, organization: Organization, role: str, by: AbstractBaseUser
) -> Membership:
    """Give someone who signed in with the provider, and waits, a role in the organization."""
    require_coordinator(by, organization)
    identity = Identity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    if identity.awaiting_organization_id != organization.pk:
        raise MembersError(_("This person is no longer waiting for approval."), code="not_waiting")
    if role not in Role.values:
        raise MembersError(_("Choose a role."), code="role")
    membership, _created = Membership.objects.get_or_create(
        user=identity.user, organization=organization, defaults={"role": role}
    )
    identity.awaiting_organization = None
    identity.save(update_fields=["awaiting_organization"])
    _record(
        organization, OrganizationEventKind.APPROVED, person=identity.user, actor=by, to_role=role
    )
    _mail(
        [identity.user.email],
        _("[%(org)s] You have access as %(role)s")
        % {"org": organization.code, "role": _role_label(role)},
        "approved",
        {
            "by": person_name(by),
            "organization": organization,
            "role": _role_label(role),
            "url": _absolute(reverse("login")),
        },
    )
    return membership


# ---------------------------------------------------------------------------------------------
# Preferences


def language_supported(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


def preference_set_language(*, user: AbstractBaseUser, language: str) -> Preference:
    """Store the language the person chose for the pages, the admin and their mails."""
    if not language_supported(language):
        raise ValidationError(
            _("“%(language)s” is not one of the site's languages.") % {"language": language},
            code="unsupported_language",
        )
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def preference_language(*, user: AbstractBaseUser, default: str) -> str:
    """The person's language; a person without one gets `default` (their browser's) stored."""
    language = (
        Preference.objects.filter(user=user).order_by().values_list("language", flat=True).first()
    )
    if language_supported(language):
        return language
    if not language_supported(default):
        default = settings.LANGUAGE_CODE
    return preference_set_language(user=user, language=default).language
