from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("programme/", views.programme_list, name="programme-list"),
    path("programme/<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("programme/vorschau/<int:pk>/", views.programme_preview, name="programme-preview"),
    path("leitbild/", views.principle_list, name="principle-list"),
    path("leitbild/<slug:slug>/", views.principle_detail, name="principle-detail"),
    path("themen/", views.topic_list, name="topic-list"),
    path("themen/<slug:slug>/", views.topic_detail, name="topic-detail"),
]
