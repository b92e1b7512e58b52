from django.urls import path

from .views import (
    authoring,
    compare,
    completeness,
    coordination,
    coverage,
    exports,
    history,
    imports,
    library,
    live,
    pages,
    review,
    search,
)

urlpatterns = [
    path("submissions/<int:pk>/print/", exports.submission_print, name="submission_print"),
    path("submissions/<int:pk>/text/", exports.submission_text, name="submission_text"),
    path(
        "submissions/<int:pk>/export/<str:fmt>/",
        exports.submission_export,
        name="submission_export",
    ),
    path("exports/<int:pk>/", exports.export_job, name="export_job"),
    path("exports/<int:pk>/status/", exports.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", exports.export_job_download, name="export_job_download"),
    path("submissions/table-rows.<str:fmt>", exports.organization_rows_export, name="rows_export"),
    path("", pages.home, name="home"),
    path("health/", pages.health, name="health"),
    path("my-work/", review.my_work, name="my_work"),
    path("search/", search.search, name="search"),
    path("coverage/", coverage.coverage_years, name="coverage_years"),
    path("compare/", compare.compare, name="compare"),
    path("library/", library.library, name="library"),
    path("library/reuse/", library.library_reuse, name="library_reuse"),
    path(
        "submissions/<int:pk>/completeness/",
        completeness.completeness,
        name="completeness",
    ),
    path(
        "submissions/<int:pk>/completeness.csv",
        completeness.completeness_csv,
        name="completeness_csv",
    ),
    path("submissions/<int:pk>/review/", review.review_page, name="review_page"),
    path("submissions/<int:pk>/finalize/", review.submission_finalize, name="submission_finalize"),
    path("submissions/<int:pk>/reopen/", review.submission_reopen, name="submission_reopen"),
    path(
        "submissions/<int:pk>/comments/<int:comment_id>/resolve/",
        review.comment_resolve,
        name="comment_resolve",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/review/<str:action>/",
        review.question_transition,
        name="question_transition",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/comments/",
        review.comment_add,
        name="comment_add",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/assign/",
        review.assign,
        name="assign",
    ),
    path("submissions/<int:pk>/", pages.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/document-language/",
        coordination.submission_document_language,
        name="submission_document_language",
    ),
    path("submissions/<int:pk>/import/", imports.import_upload, name="submission_import"),
    path(
        "submissions/<int:pk>/import/confirm/",
        imports.import_confirm,
        name="submission_import_confirm",
    ),
    path(
        "submissions/<int:pk>/unplaced/<int:item_id>/dismiss/",
        imports.unplaced_dismiss,
        name="unplaced_dismiss",
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
    path(
        "submissions/<int:pk>/questions/<str:number>/live/",
        live.question_live,
        name="question_live",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/history/",
        history.answer_history,
        name="answer_history",
    ),
    path(
        "submissions/<int:pk>/questions/<str:number>/history/restore/",
        history.answer_restore,
        name="answer_restore",
    ),
    path(
        "submissions/<int:pk>/rows/<str:table>/<int:row_id>/history/",
        history.row_history,
        name="row_history",
    ),
    path(
        "submissions/<int:pk>/rows/<str:table>/<int:row_id>/recover/",
        history.row_recover,
        name="row_recover",
    ),
]
