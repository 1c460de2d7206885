"""API tokens (docs/api.md, "Writing"): every staff member makes, replaces or
revokes their own token on one admin page; superusers manage anyone's in the
admin's Tokens list; operators use `manage.py api_token` (partner systems).

A token acts with its owner's permissions, no more. Curators hold no
permission on the Tokens list: it offers every account, and lists every key,
so holding it would let one act as anyone else through the API.
"""

from __future__ import annotations

import logging
from typing import cast

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)


def issue_token(user: User) -> Token:
    """A new token for `user`, replacing (and so revoking) any they had."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own token. Wired through `admin_view`
    (active staff only). A key is shown once, in the answer to the request
    that made it, and never stored in a page a browser may keep."""
    user = cast(User, request.user)  # admin_view: an active staff member
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            new_key = issue_token(user).key
            logger.info("API token issued by %s for themself", user)
        elif action == "revoke":
            Token.objects.filter(user=user).delete()
            logger.info("API token revoked by %s", user)
            messages.success(request, _("Your API token was revoked."))
            return redirect("admin-token")
        else:
            return HttpResponseBadRequest()
    context = {
        **admin.site.each_context(request),
        "title": _("Your API token"),
        "token": Token.objects.filter(user=user).first(),
        "new_key": new_key,
    }
    response = render(request, "admin/curation/api_token.html", context)
    response["Cache-Control"] = "no-store"
    return response
