from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Identity, Membership, Organization, OrganizationEvent, Preference


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__code"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "issuer", "tenant", "awaiting_organization", "last_sign_in"]
    list_filter = ["issuer", "awaiting_organization"]
    search_fields = ["subject", "user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "kind", "person_label", "actor"]
    list_filter = ["kind", "organization"]

    def has_change_permission(self, request, obj=None):
        return False  # a timeline is read, not rewritten


class PreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = Preference
        fields = ["user", "language"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """Each person's language (pages, admin, mails); they choose it in the site's header."""

    form = PreferenceForm
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
