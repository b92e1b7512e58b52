"""Organizations (UN system entities) and the people who work on their submissions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A UN system entity that answers the questionnaire, such as IOM."""

    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short code used in file names, for example IOM."),
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organizations",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    CONTRIBUTOR = "contributor", _("Contributor")
    REVIEWER = "reviewer", _("Reviewer")
    COORDINATOR = "coordinator", _("Coordinator")


class Membership(models.Model):
    """A person's role in one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["organization", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="membership_one_role_per_organization",
                violation_error_message=_("This person already belongs to this organization."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization.code} ({self.get_role_display()})"


class Identity(models.Model):
    """A person's account at the organization's OpenID Connect provider, linked to a user.

    Matched on the provider's stable subject, never on an e-mail address (Entra often sends
    none, and an address can pass to someone else): Entra's ``oid`` when sent (its ``sub``
    differs from one application to the next), else ``sub``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    tenant = models.CharField(_("tenant"), max_length=100, blank=True)
    awaiting_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awaiting_identities",
        verbose_name=_("waiting for approval by"),
        help_text=_("Signed in without a role: a coordinator of this organization approves."),
    )
    created_at = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("provider identity")
        verbose_name_plural = _("provider identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="identity_one_user_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class Invitation(models.Model):
    """A coordinator's invitation to join an organization: a link that expires and works once.

    Only a hash of the link's token is stored: the database alone cannot be used to join.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("full name"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization.code} ({self.get_role_display()})"


class FormerMembership(models.Model):
    """Someone who had access and was deactivated: their work and history stay theirs.

    Access is exactly the ``Membership`` rows, so deactivating removes that row (every page
    already scopes by it) and keeps this one for the members page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="former_memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="former_memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    ended_at = models.DateTimeField(_("deactivated"), auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("deactivated by"),
    )

    class Meta:
        ordering = ["-ended_at", "-id"]
        verbose_name = _("former membership")
        verbose_name_plural = _("former memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="former_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization.code} (former {self.get_role_display()})"


class OrganizationEventKind(models.TextChoices):
    INVITED = "invited", _("Invited")
    JOINED = "joined", _("Joined")
    APPROVED = "approved", _("Approved")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    SIGNED_IN_FIRST = "signed_in_first", _("First sign-in")


class OrganizationEvent(models.Model):
    """One line of an organization's timeline: who was invited, joined, changed role, left.

    The people-side counterpart of a submission's timeline (``submissions.SubmissionEvent``),
    with the same shape: a kind, from and to, a message, who did it and when.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationEventKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    person_label = models.CharField(
        _("person"), max_length=300, blank=True, help_text=_("Name or e-mail, as at the time.")
    )
    from_role = models.CharField(_("from"), max_length=20, blank=True)
    to_role = models.CharField(_("to"), max_length=20, blank=True)
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
        ordering = ["-created_at", "-id"]
        verbose_name = _("organization event")
        verbose_name_plural = _("organization events")

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.get_kind_display()} {self.person_label}"

    @property
    def from_role_label(self) -> str:
        return str(Role(self.from_role).label) if self.from_role in Role.values else ""

    @property
    def to_role_label(self) -> str:
        return str(Role(self.to_role).label) if self.to_role in Role.values else ""


class Preference(models.Model):
    """What a person chose for themselves: the language of their pages, the admin and mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    # One of settings.LANGUAGES, checked by accounts.services (not as choices, so that adding
    # a language needs no migration). Filled from the browser's language at the first login.
    language = models.CharField(_("language"), max_length=10)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
