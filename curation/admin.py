"""Staff: which offices each member belongs to (scoping event editors)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from registry.admin import AutocompleteInline, CuratorAdmin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(CuratorAdmin):
    list_display = ["user", "office", "created_at"]
    list_select_related = ["user", "office"]
    search_fields = ["user__username", "user__email", "office__name", "office__slug"]
    autocomplete_fields = ["user", "office"]


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
