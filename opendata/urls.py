"""Open-data addresses. Included in portal/urls.py before the programmes app, so that
/programme/export.csv, /programme/feed/ and /programme/fristen.ics are not read as slugs."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from core.page_cache import query_parameters
from opendata import api, dumps, feeds, ics, sitemaps, views
from opendata.cors import allow_cors

app_name = "opendata"

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}


def api_paths(prefix, viewset, name, lookup="<slug:slug>"):
    """A list (its FilterSet's parameters and `page`, the page cache's key) and its entries."""
    filterset = getattr(viewset, "filterset_class", None)
    listed = query_parameters(*(filterset.base_filters if filterset else ()), "page")
    return [
        path(
            f"api/v1/{prefix}/",
            listed(allow_cors(viewset.as_view(LIST))),
            name=f"api-{name}-list",
        ),
        path(
            f"api/v1/{prefix}/{lookup}/",
            query_parameters()(allow_cors(viewset.as_view(DETAIL))),
            name=f"api-{name}-detail",
        ),
    ]


urlpatterns = [
    path("api/v1/", query_parameters()(allow_cors(api.api_root)), name="api-root"),
    *api_paths("programmes", api.ProgrammeViewSet, "programme"),
    *api_paths("municipalities", api.MunicipalityViewSet, "municipality", "<slug:ref>"),
    *api_paths("frameworks", api.FrameworkViewSet, "framework"),
    *api_paths("principles", api.PrincipleViewSet, "principle"),
    *api_paths("topics", api.TopicViewSet, "topic"),
    *api_paths("target-groups", api.TargetGroupViewSet, "target-group"),
    *api_paths("funders", api.FunderViewSet, "funder"),
    path(
        "api/v1/openapi.json",
        query_parameters()(
            allow_cors(SpectacularJSONAPIView.as_view(custom_settings=api.SCHEMA_SETTINGS))
        ),
        name="openapi",
    ),
    path(
        "api/v1/docs/",
        # The split view loads its start script from a URL, not inline: no 'unsafe-inline'.
        # `?script` (empty) asks for that script.
        query_parameters(flags=("script",))(
            SpectacularSwaggerSplitView.as_view(url_name="opendata:openapi")
        ),
        name="api-docs",
    ),
    # Without filters these serve the full dumps (opendata.dumps), with them live exports.
    path("programme/export.csv", dumps.export_csv, name="export-csv"),
    path("programme/export.xlsx", dumps.export_xlsx, name="export-xlsx"),
    path("programme/export.json", dumps.export_json, name="export-json"),
    path("programme/feed/", feeds.programme_feed, name="programme-feed"),
    path("programme/feed.xsl", feeds.feed_stylesheet, name="feed-stylesheet"),
    path("programme/fristen.ics", ics.list_calendar, name="deadline-ics"),
    path("programme/<slug:slug>/fristen.ics", ics.programme_calendar, name="programme-ics"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("opendata/dcat.jsonld", views.dcat_catalogue, name="dcat"),
]
