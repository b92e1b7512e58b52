from django.urls import path

from .views import authoring, coordination, exports, imports, pages

urlpatterns = [
    path("submissions/<int:pk>/print/", exports.submission_print, name="submission_print"),
    path(
        "submissions/<int:pk>/export/<str:fmt>/",
        exports.submission_export,
        name="submission_export",
    ),
    path("submissions/table-rows.<str:fmt>", exports.organization_rows_export, name="rows_export"),
    path("", pages.home, name="home"),
    path("health/", pages.health, name="health"),
    path("submissions/<int:pk>/", pages.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/import/", imports.import_upload, name="submission_import"),
    path(
        "submissions/<int:pk>/import/confirm/",
        imports.import_confirm,
        name="submission_import_confirm",
    ),
    path(
        "submissions/<int:pk>/carry-forward/",
        coordination.carry_forward,
        name="carry_forward",
    ),
    path(
        "organizations/<int:organization_pk>/questionnaires/<int:questionnaire_pk>/open/",
        coordination.submission_open_view,
        name="submission_open",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/",
        authoring.question_edit,
        name="question_edit",
    ),
]
