from django.urls import path

from .views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("submissions/<int:pk>/", pages.submission_detail, name="submission_detail"),
]
