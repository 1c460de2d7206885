"""Agreement pages: the list with its facets, the detail page with its
citation, and the correction form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from rest_framework.throttling import BaseThrottle

from collection.counting import CountedPaginator
from outreach.models import Outcome
from registry.filters import AgreementFilter
from registry.models import Agency, Agreement, AgreementSource, Country, State

from ..forms import CorrectionForm
from ..structured_data import agreement_data
from .common import query_without

#: Sort orders a visitor may choose on lists, by URL value.
AGREEMENT_ORDERINGS = {
    # The default, read off the agreement_listing index.
    "-signed_on": (F("signed_on").desc(nulls_last=True), "title_en", "pk"),
    "signed_on": (F("signed_on").asc(nulls_last=True), "title_en"),
    "title_en": ("title_en",),
    "-updated_at": ("-updated_at",),
    # The soonest possible expiry first; those with none known last.
    "expires": (F("expiry_earliest").asc(nulls_last=True), "title_en"),
}
CORRECTIONS_PER_HOUR = 5
#: The filters the list's form shows; the API's other filters (from a "See
#: all" link: ?city=, ?office=, ...) are kept in the form as hidden fields.
FORM_FILTERS = (
    "q",
    "agency",
    "country",
    "kind",
    "status",
    "expires_within",
    "state",
    "year_from",
    "year_to",
)
#: Names for the filters, as the form shows them and for those it does not.
FILTER_LABELS = {
    "q": gettext_lazy("Words"),
    "agency": gettext_lazy("US agency"),
    "country": gettext_lazy("Country"),
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status today"),
    "expires_within": gettext_lazy("May expire"),
    "state": gettext_lazy("State"),
    "year_from": gettext_lazy("Signed from (year)"),
    "year_to": gettext_lazy("Signed to (year)"),
}
OTHER_FILTER_LABELS = {
    "city": gettext_lazy("City"),
    "office": gettext_lazy("Office"),
    "scope": gettext_lazy("Scope"),
    "framework": gettext_lazy("Rests on"),
    "law": gettext_lazy("Law"),
    "topic": gettext_lazy("Topic"),
}


class AgreementListView(ListView):
    """Agreements, with facets kept in the URL: the API's own filters. A
    filter value that names nothing is a 400 page that says which."""

    template_name = "registry/agreement_list.html"
    paginate_by = 25
    paginator_class = CountedPaginator

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filterset = AgreementFilter(
            request.GET,
            queryset=Agreement.objects.published().for_listing(),
            request=request,
        )
        self.ordering_key = request.GET.get("ordering") or "-signed_on"
        errors = {} if self.filterset.is_valid() else dict(self.filterset.errors)
        if self.ordering_key not in AGREEMENT_ORDERINGS:
            errors["ordering"] = [_("Unknown sort order.")]
        if errors:
            context = self.facet_context() | {"errors": errors, "page_obj": None}
            return render(request, self.template_name, context, status=400)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Agreement]:
        return self.filterset.qs.order_by(*AGREEMENT_ORDERINGS[self.ordering_key])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return (
            super().get_context_data(**kwargs)
            | self.facet_context()
            | {
                "ordering": self.ordering_key,
                "orderings": [
                    ("-signed_on", _("Newest first")),
                    ("signed_on", _("Oldest first")),
                    ("title_en", _("Title")),
                    ("-updated_at", _("Recently updated")),
                    ("expires", _("Expiring soonest")),
                ],
            }
        )

    def facet_context(self) -> dict[str, Any]:
        request = self.request
        filters_only = query_without(request, "page", "ordering")
        in_force = filters_in_force(request, self.filterset)
        return {
            "filterset": self.filterset,
            "active_filters": len(in_force),
            "in_force": in_force,
            "other_filters": [f for f in in_force if f["name"] not in FORM_FILTERS],
            "facets": {
                "agencies": Agency.objects.us().order_by("name"),
                "countries": Country.objects.foreign().order_by("name_en"),
                "kinds": Agreement.Kind.choices,
                "statuses": Agreement.Status.choices,
                "horizons": self.filterset.filters["expires_within"].extra["choices"],
                "states": State.objects.order_by("name"),
                "years": range(timezone.localdate().year, 2003, -1),
            },
            "query": query_without(request, "page"),
            "filters_only": filters_only,
            "feed_url": reverse("public:agreement-feed")
            + (f"?{filters_only}" if filters_only else ""),
        }


def filters_in_force(
    request: HttpRequest, filterset: AgreementFilter
) -> list[dict[str, Any]]:
    """The filters set in the URL, each with its name, its value as read
    (a city's name rather than its slug, a status's label) and the query
    string without it: for the agreement list and its numbers."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    found = []
    for name, value in request.GET.items():
        if name not in filterset.filters or not value:
            continue
        shown = cleaned.get(name) or value
        field = filterset.form.fields.get(name)
        if isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.ModelChoiceField
        ):
            choices = cast(Iterable[tuple[Any, Any]], field.choices)
            shown = dict(choices).get(value, value)
        found.append(
            {
                "name": name,
                "value": value,
                "label": FILTER_LABELS.get(name)
                or OTHER_FILTER_LABELS.get(name)
                or name,
                "shown": shown,
                "remove": query_without(request, name, "page"),
            }
        )
    return found


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
        .with_parties()
        .prefetch_related(
            Prefetch(
                "citations", queryset=AgreementSource.objects.select_related("source")
            ),
            "documents",
            "laws",
            "topics",
            Prefetch("outcomes", queryset=Outcome.objects.select_related("source")),
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
        "form": form or CorrectionForm(),
        # Where the form comes back after a report: ?reported=1#correction.
        "reported": form is None and request.GET.get("reported") == "1",
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


@csrf_exempt
@require_POST
def agreement_correction(request: HttpRequest, slug: str) -> HttpResponse:
    """Store a visitor's correction in the curators' queue.

    Guarded by a honeypot field (bots fill it; people never see it) and a rate
    limit per client address (found as the API's throttling finds it,
    trusting NUM_PROXIES proxies).

    Exempt from CSRF: the form is anonymous (a report acts with nobody's
    rights, so a forged one is no more than anybody can send), and a token in
    the agreement page would give every visitor a cookie and a page of their
    own, which no shared cache could keep (collection.pagecache). The thanks
    is in the address it comes back to, not in a session message, for the same
    reason.
    """
    agreement = get_object_or_404(Agreement.objects.published(), slug=slug)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return agreement_page(request, slug, form=form, status=400)
    thanks = HttpResponseRedirect(
        agreement.get_absolute_url() + "?reported=1#correction"
    )
    if form.is_spam():
        return thanks
    # add + incr count atomically (in Redis too), so parallel posts cannot
    # slip past the limit; the window starts at the first report.
    client = BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads META only
    key = f"corrections:{client}"
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
    return thanks
