"""Staff: Django's user admin, with the offices each member belongs to
(which scope event editors)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from collection.admin import AutocompleteInline
from registry.models import Membership


class MembershipInline(AutocompleteInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["office"]
    fields = ["office"]
    list_select_related = ("office",)


class StaffAdmin(UserAdmin):
    """Django's user admin, with the offices an event editor belongs to."""

    inlines = [*UserAdmin.inlines, MembershipInline]


admin.site.unregister(User)
admin.site.register(User, StaffAdmin)
