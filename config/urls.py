"""URLs: the public site in English at / and Spanish at /es/; the admin at
/admin/; the JSON API at /api/v1/; open data at /data/ (and /es/data/)."""

from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from curation import tokens as curation_tokens
from curation import views as curation_views
from outreach import api as outreach_api
from public.sitemaps import SITEMAPS
from registry import api as registry_api

admin.site.site_header = _("Labour agreements registry: curation")
admin.site.site_title = _("Registry curation")
admin.site.index_title = _("Curate the registry")

router = DefaultRouter()
router.register("agreements", registry_api.AgreementViewSet, basename="agreement")
router.register("agencies", registry_api.AgencyViewSet, basename="agency")
router.register("offices", registry_api.OfficeViewSet, basename="office")
router.register("cities", registry_api.CityViewSet, basename="city")
router.register("countries", registry_api.CountryViewSet, basename="country")
router.register("states", registry_api.StateViewSet, basename="state")
router.register("laws", registry_api.LawViewSet, basename="law")
router.register("editions", outreach_api.EditionViewSet, basename="edition")
router.register("events", outreach_api.EventViewSet, basename="event")
router.register(
    "organizations", outreach_api.OrganizationViewSet, basename="organization"
)
router.register("programmes", outreach_api.ProgrammeViewSet, basename="programme")
router.register("topics", registry_api.TopicViewSet, basename="topic")

urlpatterns = [
    path(
        "admin/review/",
        admin.site.admin_view(curation_views.review),
        name="admin-review",
    ),
    path(
        "admin/token/",
        admin.site.admin_view(curation_tokens.api_token),
        name="admin-token",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        # Swagger UI draws its icons as data: images.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("api/v1/help/", outreach_api.HelpView.as_view(), name="api-help"),
    path("api/v1/", include((router.urls, "api"))),
    # An index of sitemaps, one per kind of page, each in bounded pages.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # Open data in both languages (/data/ and /es/data/: the same files), then
    # the public site.
    *i18n_patterns(
        path("data/", include("opendata.urls")),
        path("", include("public.urls")),
        prefix_default_language=False,
    ),
]
