from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("impressum/", views.page, {"template": "portal/impressum.html"}, name="impressum"),
    path("datenschutz/", views.page, {"template": "portal/datenschutz.html"}, name="datenschutz"),
    path(
        "barrierefreiheit/",
        views.page,
        {"template": "portal/barrierefreiheit.html"},
        name="barrierefreiheit",
    ),
    path(
        "leichte-sprache/",
        views.page,
        {"template": "portal/leichte_sprache.html"},
        name="leichte-sprache",
    ),
    path("", include("opendata.urls")),  # before programmes: /programme/export.csv etc.
    path("", include("programmes.urls")),
    path("", include("alerts.urls")),
    path("", include("municipalities.urls")),
    path(f"{settings.ADMIN_URL}2fa/", two_factor.admin_two_factor, name="admin-two-factor"),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_FLOOR:  # the benchmark's floor (bench/web.py), never in production
    urlpatterns.append(path("_bench/floor", views.floor, name="bench-floor"))

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
