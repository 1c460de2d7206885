"""Public pages of the registry: home, agreements, cities, agencies, offices,
countries, search, and the correction form."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outreach.models import Edition, Event, Organization, Programme

from .filters import AgreementFilter
from .forms import CorrectionForm
from .geo import project
from .models import (
    Agency,
    Agreement,
    AgreementQuerySet,
    AgreementSource,
    City,
    Country,
    Office,
    Party,
    State,
)
from .search import full_text
from .structured_data import agreement_data, office_data

#: How to fetch parties for display: their office (with agency and city) or agency.
PARTIES = Prefetch(
    "parties",
    queryset=Party.objects.select_related(
        "office__agency__country", "office__city__state", "agency__country"
    ),
)
PAGE_SIZE = 25
#: Sort orders a visitor may choose on lists, by URL value.
AGREEMENT_ORDERINGS = {
    "-signed_on": (F("signed_on").desc(nulls_last=True), "title_en"),
    "signed_on": (F("signed_on").asc(nulls_last=True), "title_en"),
    "title_en": ("title_en",),
    "-updated_at": ("-updated_at",),
}
CORRECTIONS_PER_HOUR = 5


def agreement_list_queryset() -> AgreementQuerySet:
    """Published agreements with what a list row shows (its status needs the renewal)."""
    return Agreement.objects.published().with_status_data().prefetch_related(PARTIES)


def paginate(request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE) -> Any:
    """The requested page; a page number that is not one is a 404."""
    paginator = Paginator(rows, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404(_("No such page.")) from None


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters (for links)."""
    params = [(k, v) for k, v in request.GET.items() if k not in names and v != ""]
    return urlencode(params)


def map_points(offices: Iterable[Office]) -> list[dict[str, Any]]:
    """One dot per city on the US map, listing the offices there."""
    by_city: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for office in offices:
        city = office.city
        if city is None or city.latitude is None or city.longitude is None:
            continue
        if city.pk not in by_city:
            position = project(float(city.latitude), float(city.longitude))
            if position is None:
                continue
            by_city[city.pk] = {
                "x": position[0],
                "y": position[1],
                "city": city,
                "offices": [],
            }
        by_city[city.pk]["offices"].append(office)
    return list(by_city.values())


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    published = Agreement.objects.published()
    consulates = Office.objects.consular().select_related("agency", "city__state")
    context = {
        "counts": {
            "agreements": published.count(),
            "offices": Office.objects.count(),
            "cities": City.objects.count(),
            "editions": Edition.objects.count(),
        },
        "recent_agreements": agreement_list_queryset()
        .filter(signed_on__isnull=False)
        .order_by(F("signed_on").desc(), "title_en")[:6],
        "expiring_agreements": agreement_list_queryset()
        .expiring_within(90, on=today)
        .order_by("expiry_earliest")[:6],
        "upcoming_events": Event.objects.published()
        .upcoming()
        .select_related("city__state", "host_office")[:6],
        "map_points": map_points(consulates),
    }
    return render(request, "registry/home.html", context)


def agreement_list(request: HttpRequest) -> HttpResponse:
    """Agreements, with facets kept in the URL: the API's own filters."""
    filterset = AgreementFilter(
        request.GET, queryset=agreement_list_queryset(), request=request
    )
    ordering = request.GET.get("ordering") or "-signed_on"
    valid = filterset.is_valid() and ordering in AGREEMENT_ORDERINGS
    if not valid:
        errors = dict(filterset.errors)
        if ordering not in AGREEMENT_ORDERINGS:
            errors["ordering"] = [_("Unknown sort order.")]
        context = facet_context(request, filterset) | {"errors": errors, "page": None}
        return render(request, "registry/agreement_list.html", context, status=400)
    rows = filterset.qs.order_by(*AGREEMENT_ORDERINGS[ordering])
    context = facet_context(request, filterset) | {
        "page": paginate(request, rows),
        "ordering": ordering,
        "orderings": [
            ("-signed_on", _("Newest first")),
            ("signed_on", _("Oldest first")),
            ("title_en", _("Title")),
            ("-updated_at", _("Recently updated")),
        ],
    }
    return render(request, "registry/agreement_list.html", context)


def facet_context(request: HttpRequest, filterset: AgreementFilter) -> dict[str, Any]:
    query = query_without(request, "page")
    filters_only = query_without(request, "page", "ordering")
    return {
        "filterset": filterset,
        "facets": {
            "agencies": Agency.objects.filter(country__code="us").order_by("name"),
            "countries": Country.objects.exclude(code="us").order_by("name_en"),
            "kinds": Agreement.Kind.choices,
            "statuses": Agreement.Status.choices,
            "states": State.objects.order_by("name"),
            "years": range(timezone.localdate().year, 2003, -1),
        },
        "query": query,
        "filters_only": filters_only,
        "feed_url": reverse("registry:agreement-feed")
        + (f"?{filters_only}" if filters_only else ""),
    }


def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return agreement_page(request, slug)


def agreement_page(
    request: HttpRequest,
    slug: str,
    form: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.published()
        .select_related("renewal", "renews", "framework")
        .prefetch_related(
            PARTIES,
            Prefetch(
                "citations", queryset=AgreementSource.objects.select_related("source")
            ),
            "documents",
            "laws",
            "topics",
            Prefetch(
                "local_agreements",
                queryset=Agreement.objects.published()
                .with_status_data()
                .order_by("signed_on"),
            ),
        ),
        slug=slug,
    )
    context = {
        "agreement": agreement,
        "timeline": timeline(agreement),
        "documents_by_language": regroup(agreement.documents.all(), "language"),
        "form": form or CorrectionForm(),
        "citation": citation(request, agreement),
        "bibtex": bibtex(request, agreement),
        "structured_data": agreement_data(request, agreement),
    }
    return render(request, "registry/agreement_detail.html", context, status=status)


def timeline(agreement: Agreement) -> list[dict[str, Any]]:
    """The agreement among the instrument it rests on and its renewals, oldest
    first; drafts are left out. One query per renewal link."""
    entries = []
    if agreement.framework and agreement.framework.is_published:
        entries.append({"agreement": agreement.framework, "role": _("rests on")})
    chain = agreement.renewal_chain()
    position = chain.index(agreement)
    for index, item in enumerate(chain):
        if not item.is_published:
            continue
        if index < position:
            role = _("earlier agreement")
        elif index > position:
            role = _("renewal")
        else:
            role = _("this agreement")
        entries.append({"agreement": item, "role": role, "current": index == position})
    return entries


def regroup(items: Iterable[Any], attribute: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in items:
        grouped.setdefault(getattr(item, f"get_{attribute}_display")(), []).append(item)
    return grouped


def citation(request: HttpRequest, agreement: Agreement) -> str:
    url = request.build_absolute_uri(agreement.get_absolute_url())
    return _(
        "“%(title)s”. %(kind)s, signed %(signed)s. Labour agreements registry. "
        "%(url)s (accessed %(today)s)."
    ) % {
        "title": agreement.title,
        "kind": agreement.get_kind_display(),
        "signed": agreement.signed,
        "url": url,
        "today": timezone.localdate().isoformat(),
    }


def bibtex(request: HttpRequest, agreement: Agreement) -> str:
    def escape(text: str) -> str:
        return "".join("\\" + c if c in "{}&%$#_" else c for c in str(text))

    year = agreement.signed.start.year if agreement.signed.start else ""
    lines = [
        f"@misc{{{agreement.slug},",
        f"  title = {{{escape(agreement.title)}}},",
        f"  year = {{{year}}},",
        f"  note = {{{escape(agreement.get_kind_display())}, signed {escape(agreement.signed.iso() or 'date unknown')}}},",
        f"  howpublished = {{\\url{{{request.build_absolute_uri(agreement.get_absolute_url())}}}}},",
        "  organization = {Labour agreements registry},",
        f"  urldate = {{{timezone.localdate().isoformat()}}}",
        "}",
    ]
    return "\n".join(lines)


@require_POST
def agreement_correction(request: HttpRequest, slug: str) -> HttpResponse:
    """Store a visitor's correction in the curators' queue.

    Guarded by a honeypot field (bots fill it; people never see it) and a rate
    limit per client address.
    """
    agreement = get_object_or_404(Agreement.objects.published(), slug=slug)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        if form.is_spam():
            messages.success(
                request, _("Thank you: the curators will check your report.")
            )
            return HttpResponseRedirect(agreement.get_absolute_url() + "#correction")
        # add + incr count atomically (in Redis too), so parallel posts cannot
        # slip past the limit; the window starts at the first report.
        key = f"corrections:{client_address(request)}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > CORRECTIONS_PER_HOUR:
            return render(
                request,
                "registry/correction_limited.html",
                {"agreement": agreement},
                status=429,
            )
        report = form.save(commit=False)
        report.agreement = agreement
        report.page_url = agreement.get_absolute_url()
        report.save()
        messages.success(request, _("Thank you: the curators will check your report."))
        return HttpResponseRedirect(agreement.get_absolute_url() + "#correction")
    return agreement_page(request, slug, form=form, status=400)


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting as many X-Forwarded-For hops as there are
    proxies (NUM_PROXIES, as the API's throttling does)."""
    from rest_framework.settings import api_settings

    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def city_list(request: HttpRequest) -> HttpResponse:
    cities = (
        City.objects.select_related("state", "country")
        .annotate(office_count=Count("offices", distinct=True))
        .order_by("state__name", "name")
    )
    return render(request, "registry/city_list.html", {"cities": cities})


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City.objects.select_related("state", "country"), slug=slug)
    offices = list(
        Office.objects.for_city(city)
        .select_related("agency", "city__state")
        .order_by("name")
    )
    now = timezone.now()
    events = (
        Event.objects.published()
        .for_city(city)
        .select_related("host_office", "city__state")
    )
    context = {
        "city": city,
        "offices": offices,
        "agreements": agreement_list_queryset()
        .for_city(city)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "national_count": Agreement.objects.published().national().count(),
        "upcoming_events": events.upcoming(now).order_by("starts_at"),
        "past_events": events.exclude(
            pk__in=events.upcoming(now).values("pk")
        ).latest_first(),
        "programmes": Programme.objects.filter(city=city).order_by("name"),
        "organizations": Organization.objects.filter(city=city).order_by("name"),
        "map_points": map_points(offices),
    }
    return render(request, "registry/city_detail.html", context)


def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.select_related("country", "parent").annotate(
        office_count=Count("offices", distinct=True)
    )
    groups: dict[str, list[Agency]] = {}
    for agency in agencies.order_by("country__name_en", "name"):
        groups.setdefault(agency.get_level_display(), []).append(agency)
    order = [str(label) for _value, label in Agency.Level.choices]
    return render(
        request,
        "registry/agency_list.html",
        {"groups": sorted(groups.items(), key=lambda item: order.index(item[0]))},
    )


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(
        Agency.objects.select_related("parent", "country"), slug=slug
    )
    family = Agency.objects.descendant_ids(agency)
    offices = list(
        Office.objects.for_agency(agency)
        .select_related("agency", "city__state")
        .order_by("name")
    )
    agreements = list(
        agreement_list_queryset()
        .for_agency(agency)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en")
    )
    rows = []
    for agreement in agreements:
        parties = list(agreement.parties.all())
        own = [p for p in parties if p.party_agency and p.party_agency.pk in family]
        others = [p for p in parties if p not in own]
        countries = sorted(
            {str(p.party_agency.country) for p in others if p.party_agency}
        )
        rows.append({"agreement": agreement, "own": own, "countries": countries})
    context = {
        "agency": agency,
        "children": agency.children.order_by("name"),
        "offices": offices,
        "rows": rows,
        "events": Event.objects.published()
        .for_agency(agency)
        .select_related("city__state", "host_office")
        .latest_first()[:50],
        "map_points": map_points(offices),
    }
    return render(request, "registry/agency_detail.html", context)


def office_detail(request: HttpRequest, slug: str) -> HttpResponse:
    office = get_object_or_404(
        Office.objects.select_related(
            "agency__country", "city__state"
        ).prefetch_related("sources"),
        slug=slug,
    )
    context = {
        "office": office,
        "jurisdictions": office.jurisdictions.select_related("state"),
        "agreements": agreement_list_queryset()
        .for_office(office)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "events": Event.objects.published()
        .for_office(office)
        .select_related("city__state")
        .latest_first(),
        "programmes": office.programmes.order_by("name"),
        "map_points": map_points([office]),
        "structured_data": office_data(request, office),
    }
    return render(request, "registry/office_detail.html", context)


def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code)
    offices = list(
        Office.objects.filter(agency__country=country)
        .select_related("agency", "city__state")
        .order_by("city__name", "name")
    )
    context = {
        "country": country,
        "agencies": country.agencies.order_by("name"),
        "offices": offices,
        "agreements": agreement_list_queryset()
        .for_country(country)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "map_points": map_points(offices),
    }
    return render(request, "registry/country_detail.html", context)


def search(request: HttpRequest) -> HttpResponse:
    """One search over agreements, offices, cities, events and organisations."""
    text = request.GET.get("q", "").strip()[:200]
    groups: list[dict[str, Any]] = []
    if len(text) >= 2:
        limit = 20
        found = [
            (_("Agreements"), Agreement.objects.published().search(text)),
            (
                _("Offices"),
                Office.objects.search(text).select_related("agency", "city__state"),
            ),
            (
                _("Cities"),
                full_text(City.objects.select_related("state"), text, ["name"]),
            ),
            (
                _("Events"),
                Event.objects.published().search(text).select_related("city__state"),
            ),
            (
                _("Partner organisations"),
                full_text(
                    Organization.objects.select_related("city__state"), text, ["name"]
                ),
            ),
        ]
        for label, queryset in found:
            rows = list(queryset.order_by("-rank", "pk")[: limit + 1])
            groups.append(
                {"label": label, "rows": rows[:limit], "more": len(rows) > limit}
            )
    context = {"q": text, "groups": groups, "too_short": 0 < len(text) < 2}
    return render(request, "registry/search.html", context)
