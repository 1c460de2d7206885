"""The URLconf `make bench-web` serves: the registry's own URLs, plus the two
baselines its figures are set beside, measured on the same server in the same
run (never deployed; config.urls does not include them).

- `/_bench/constant/`: a constant response through the whole middleware stack,
  the ceiling of what this server answers per second.
- `/_bench/values/`: the same 50 agreements as page 1 of the API list, read
  with `values()` and written with `JsonResponse`: the least an API page costs.
- `/_bench/values-count/`: the same, counting every published agreement too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from config.urls import urlpatterns as registry_urls
from registry.models import Agreement

FIELDS = ("slug", "title_en", "title_es", "kind", "signed_on", "updated_at")


@never_cache
def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"constant\n", content_type="text/plain")


def _rows() -> list[dict[str, object]]:
    rows = Agreement.objects.published().newest_first().values(*FIELDS)[:50]
    return list(rows)


@never_cache
def values(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"results": _rows()})


@never_cache
def values_count(request: HttpRequest) -> JsonResponse:
    count = Agreement.objects.published().count()
    return JsonResponse({"count": count, "results": _rows()})


urlpatterns = [
    path("_bench/constant/", constant),
    path("_bench/values/", values),
    path("_bench/values-count/", values_count),
    # Spliced, not included: i18n_patterns() works only in the root URLconf.
    *registry_urls,
]
