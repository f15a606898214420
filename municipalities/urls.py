from django.urls import path

from municipalities import views

app_name = "municipalities"
urlpatterns = [
    path("kommunen/", views.municipality_list, name="municipality-list"),
    path("kommunen/<slug:slug>/", views.municipality_detail, name="municipality-detail"),
]
