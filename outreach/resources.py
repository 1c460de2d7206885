"""Outreach collections in the registry's file format (see collection.resources)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from collection.resources import CollectionResource, KeysWidget, key
from collection.roles import curates_everything
from registry.models import Agency, Agreement, City, Office, Topic
from registry.resources import (
    ContactPointResource,
    SourceKeysWidget,
    SourceKeyWidget,
)

from .models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)


class EditionResource(CollectionResource):
    collection = "editions"

    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Edition
        import_id_fields = ["year"]
        fields = [
            "year",
            "number",
            "starts_on",
            "ends_on",
            "theme_en",
            "theme_es",
            "translated_by_registry",
            "theme_note",
            "note",
            "sources",
        ]


class OrganizationResource(CollectionResource):
    collection = "organizations"

    city = fields.Field("city", "city", key(City))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Organization
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "acronym",
            "kind",
            "city",
            "website",
            "note",
            "sources",
        ]


class ProgrammeResource(CollectionResource):
    collection = "programmes"

    city = fields.Field("city", "city", key(City))
    offices = fields.Field("offices", "offices", KeysWidget(Office))
    agencies = fields.Field("agencies", "agencies", KeysWidget(Agency))
    organizations = fields.Field(
        "organizations", "organizations", KeysWidget(Organization)
    )
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Programme
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "city",
            "started_in",
            "description_en",
            "description_es",
            "offices",
            "agencies",
            "organizations",
            "website",
            "note",
            "sources",
        ]


class ProgrammeContactResource(ContactPointResource):
    """The contact points of year-round programmes (a hotline's number)."""

    collection = "programme-contacts"

    programme = fields.Field("programme", "programme", key(Programme))

    class Meta:
        model = ProgrammeContact
        import_id_fields = ["programme", "kind", "value", "source"]
        fields = ["programme", *ContactPointResource.COLUMNS]

    def get_queryset(self) -> Any:
        return ProgrammeContact.objects.select_related("programme", "source")


class EventResource(CollectionResource):
    collection = "events"

    edition = fields.Field("edition", "edition", key(Edition, "year"))
    host_office = fields.Field("host_office", "host_office", key(Office))
    offices = fields.Field("offices", "offices", KeysWidget(Office))
    agencies = fields.Field("agencies", "agencies", KeysWidget(Agency))
    organizations = fields.Field(
        "organizations", "organizations", KeysWidget(Organization)
    )
    city = fields.Field("city", "city", key(City))
    topics = fields.Field("topics", "topics", KeysWidget(Topic))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Event
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "edition",
            "title_en",
            "title_es",
            "kind",
            "status",
            "mode",
            "host_office",
            "offices",
            "agencies",
            "organizations",
            "city",
            "venue",
            "time_zone",
            "starts_at",
            "ends_at",
            "is_all_day",
            "date_note",
            "languages",
            "topics",
            "description_en",
            "description_es",
            "translated_by_registry",
            "registration_url",
            "attendance",
            "note",
            "is_published",
            "sources",
        ]

    def check_instance(
        self, instance: Event, row: Any, *, before: dict[str, Any] | None
    ) -> None:
        """An event editor imports the events of their own offices only: a row
        may neither take another office's event nor give an event to one."""
        if self.user is None or curates_everything(self.user):
            return
        mine = self.__dict__.get("_offices")
        if mine is None:
            mine = set(
                Office.objects.for_member(self.user).values_list("pk", flat=True)
            )
            self.__dict__["_offices"] = mine
        if before is not None and before["host_office_id"] not in mine:
            raise ValidationError(
                {
                    "slug": _(
                        "The slug “%(slug)s” is taken by an event you may not "
                        "change; choose another."
                    )
                    % {"slug": instance.slug}
                }
            )
        if instance.host_office_id not in mine:
            raise ValidationError(
                {"host_office": _("Choose one of your offices as the host office.")}
            )


class OutcomeResource(CollectionResource):
    collection = "outcomes"

    edition = fields.Field("edition", "edition", key(Edition, "year"))
    programme = fields.Field("programme", "programme", key(Programme))
    agreement = fields.Field("agreement", "agreement", key(Agreement))
    source = fields.Field("source", "source", SourceKeyWidget())

    class Meta:
        model = Outcome
        import_id_fields = [
            "edition",
            "programme",
            "agreement",
            "metric",
            "source",
            "value",
        ]
        fields = [
            "edition",
            "programme",
            "agreement",
            "metric",
            "qualifier",
            "value",
            "year",
            "source",
            "note",
        ]

    def get_instance(self, instance_loader: Any, row: Any) -> Outcome | None:
        try:
            lookup = {
                name: self.fields[name].clean(row)
                for name in self._meta.import_id_fields
            }
        except ValueError:
            return None  # reported as a field error when the row is imported
        return Outcome.objects.filter(**lookup).first()
