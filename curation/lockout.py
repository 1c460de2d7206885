"""The admin login lockout's two hooks for django-axes (settings AXES_*,
docs/deploy.md): who the client is, and the page a locked-out login gets.

A login is refused while the address it comes from, or the account it names,
has AXES_FAILURE_LIMIT failures, each within AXES_COOLOFF_TIME of the next;
the lock ends that long after the last attempt. The page says which of the
two is locked, for how long, and whom to ask.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the API's throttles find it: trusting
    X-Forwarded-For only from the NUM_PROXIES proxies in front (with 0, the
    connecting address), so a client cannot name a fresh address itself."""
    return BaseThrottle().get_ident(request) or None  # type: ignore[arg-type]  # reads META only


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 Too Many Requests (the client made too many attempts; it is not a
    permission the account lacks, which 403 would say), with Retry-After and
    the lockout page in the request's language."""
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    username = (credentials or {}).get("username") or request.POST.get("username")
    since = request.axes_attempt_time - cool_off  # type: ignore[attr-defined]
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)

    def failures(**where: Any) -> int:
        total = recent.filter(**where).aggregate(n=Sum("failures_since_start"))["n"]
        return int(total or 0)

    limit = settings.AXES_FAILURE_LIMIT
    context = {
        **admin.site.each_context(request),
        "username": username or "",
        "account_locked": bool(username) and failures(username=username) >= limit,
        "address_locked": failures(ip_address=request.axes_ip_address) >= limit,  # type: ignore[attr-defined]
        "minutes": math.ceil(cool_off.total_seconds() / 60),
        "failure_limit": limit,
        "contact": settings.LOCKOUT_CONTACT,
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
