from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("benachrichtigung/", views.subscribe, name="subscribe"),
    path("benachrichtigung/bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("benachrichtigung/verwalten/<str:token>/", views.manage, name="manage"),
    path("benachrichtigung/abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
