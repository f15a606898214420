"""Open-data addresses. Included in portal/urls.py before the programmes app, so that
/programme/export.csv, /programme/feed/ and /programme/fristen.ics are not read as slugs."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from opendata import api, exports, feeds, ics, views
from opendata.cors import allow_cors
from opendata.sitemaps import SITEMAPS

app_name = "opendata"

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}


def api_paths(prefix, viewset, name, lookup="<slug:slug>"):
    return [
        path(f"api/v1/{prefix}/", allow_cors(viewset.as_view(LIST)), name=f"api-{name}-list"),
        path(
            f"api/v1/{prefix}/{lookup}/",
            allow_cors(viewset.as_view(DETAIL)),
            name=f"api-{name}-detail",
        ),
    ]


urlpatterns = [
    path("api/v1/", allow_cors(api.api_root), name="api-root"),
    *api_paths("programmes", api.ProgrammeViewSet, "programme"),
    *api_paths("municipalities", api.MunicipalityViewSet, "municipality", "<slug:ref>"),
    *api_paths("frameworks", api.FrameworkViewSet, "framework"),
    *api_paths("principles", api.PrincipleViewSet, "principle"),
    *api_paths("topics", api.TopicViewSet, "topic"),
    *api_paths("target-groups", api.TargetGroupViewSet, "target-group"),
    *api_paths("funders", api.FunderViewSet, "funder"),
    path(
        "api/v1/openapi.json",
        allow_cors(SpectacularJSONAPIView.as_view(custom_settings=api.SCHEMA_SETTINGS)),
        name="openapi",
    ),
    path(
        "api/v1/docs/",
        # The split view loads its start script from a URL, not inline: no 'unsafe-inline'.
        SpectacularSwaggerSplitView.as_view(url_name="opendata:openapi"),
        name="api-docs",
    ),
    path("programme/export.csv", exports.export_csv, name="export-csv"),
    path("programme/export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("programme/feed/", feeds.programme_feed, name="programme-feed"),
    path("programme/fristen.ics", ics.list_calendar, name="deadline-ics"),
    path("programme/<slug:slug>/fristen.ics", ics.programme_calendar, name="programme-ics"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "opendata:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("opendata/dcat.jsonld", views.dcat_catalogue, name="dcat"),
]
