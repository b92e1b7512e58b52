from django.urls import path

from .views import authoring, exports, pages

urlpatterns = [
    path("submissions/<int:pk>/print/", exports.submission_print, name="submission_print"),
    path(
        "submissions/<int:pk>/export/<str:fmt>/",
        exports.submission_export,
        name="submission_export",
    ),
    path("submissions/table-rows.<str:fmt>", exports.organization_rows_export, name="rows_export"),
    path("", pages.home, name="home"),
    path("submissions/<int:pk>/", pages.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/questions/<str:number>/",
        authoring.question_edit,
        name="question_edit",
    ),
]
