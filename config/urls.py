"""URL configuration: the app's pages, login, the admin and the error pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("admin/", admin.site.urls),
    path("nested_admin/", include("nested_admin.urls")),
    path("accounts/", include("accounts.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("submissions.urls")),
]

# The site's own error pages, and JSON errors for the autosave (used when DEBUG is off).
handler400 = "submissions.views.errors.bad_request"
handler403 = "submissions.views.errors.permission_denied"
handler404 = "submissions.views.errors.page_not_found"
handler500 = "submissions.views.errors.server_error"
