from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review, name="review"),
    path("review.pdf", views.review_pdf, name="review_pdf"),
    path("review.xlsx", views.review_xlsx, name="review_xlsx"),
    path("findings/", views.findings, name="findings"),
    path("chains/", views.chains, name="chains"),
    path("hazards/<int:pk>/as-of/", views.hazard_as_of_view, name="hazard_as_of"),
]
