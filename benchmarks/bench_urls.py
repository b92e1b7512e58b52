"""The app's URLs and /bench/trivial/: the base layout for a logged-in user, nothing else.

That page does what every page of the app does (session, user, middleware, the base template
with its navigation) and no work of its own: the edit page's time over it is the edit page's.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("bench/trivial/", login_required(TemplateView.as_view(template_name="base.html"))),
    path("", include("config.urls")),
]
