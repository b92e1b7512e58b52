from django.urls import path

from . import oidc, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("oidc/start/", oidc.SignInStart.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.SignInCallback.as_view(), name="oidc_callback"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("organization/", views.switch_organization, name="switch_organization"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("language/", views.set_language, name="set_language"),
]
