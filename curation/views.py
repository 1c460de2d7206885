"""Curators' pages inside the admin."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from registry.models import EXPIRING_WITHIN_DAYS

from .radar import build_radar

#: Who may see the review page: those who may change agreements (curators).
REVIEW_PERMISSION = "registry.change_agreement"


def review(request: HttpRequest) -> HttpResponse:
    """The review queue and renewal radar. Wired through `admin_view`, which
    sends anonymous and non-staff visitors to the admin login."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION)):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Review queue and radar"),
        "radar": build_radar(),
        "expiring_days": EXPIRING_WITHIN_DAYS,
    }
    return render(request, "admin/curation/review.html", context)
