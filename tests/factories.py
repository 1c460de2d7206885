"""factory_boy factories with the fewest fields that pass validation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group, User

from collection.roles import CURATOR, EVENT_EDITOR
from outreach.models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    Country,
    Document,
    Jurisdiction,
    Law,
    Membership,
    Office,
    Party,
    Source,
    State,
    Topic,
)


class CountryFactory(factory.django.DjangoModelFactory[Country]):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = "us"
    name_en = "United States"
    name_es = "Estados Unidos"


class StateFactory(factory.django.DjangoModelFactory[State]):
    class Meta:
        model = State
        django_get_or_create = ["slug"]

    country = factory.SubFactory(CountryFactory)
    code = "TX"
    name = "Texas"
    slug = factory.LazyAttribute(lambda o: o.code.lower())


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://www.dol.gov/newsroom/releases/{n}")
    reliability = Source.Reliability.HIGH


class CityFactory(factory.django.DjangoModelFactory[City]):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}-tx")
    state = factory.SubFactory(StateFactory)
    country = factory.SelfAttribute("state.country")
    time_zone = "America/Chicago"


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    country = factory.SubFactory(CountryFactory)
    level = Agency.Level.FEDERAL


class ForeignAgencyFactory(AgencyFactory):
    country = factory.SubFactory(
        CountryFactory, code="mx", name_en="Mexico", name_es="México"
    )
    level = Agency.Level.FOREIGN_MINISTRY


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Office {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    kind = Office.Kind.DISTRICT_OFFICE
    city = factory.SubFactory(CityFactory)


class ConsulateFactory(OfficeFactory):
    agency = factory.SubFactory(ForeignAgencyFactory)
    name = factory.Sequence(lambda n: f"Consulado de México {n}")
    slug = factory.Sequence(lambda n: f"mx-consulate-{n}")
    kind = Office.Kind.CONSULATE


class JurisdictionFactory(factory.django.DjangoModelFactory[Jurisdiction]):
    class Meta:
        model = Jurisdiction

    office = factory.SubFactory(ConsulateFactory)
    state = factory.SubFactory(StateFactory)


class LawFactory(factory.django.DjangoModelFactory[Law]):
    class Meta:
        model = Law

    slug = factory.Sequence(lambda n: f"law-{n}")
    short_name = factory.Sequence(lambda n: f"LAW{n}")
    name_en = factory.Sequence(lambda n: f"Law {n}")


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    name_es = factory.Sequence(lambda n: f"Tema {n}")


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    title_en = factory.Sequence(lambda n: f"Letter of arrangement {n}")
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    kind = Agreement.Kind.LOA
    scope = Agreement.Scope.LOCAL
    signed_on = date(2020, 8, 31)
    is_published = True


class PartyFactory(factory.django.DjangoModelFactory[Party]):
    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    office = factory.SubFactory(OfficeFactory)
    side = Party.Side.US


class AgreementSourceFactory(factory.django.DjangoModelFactory[AgreementSource]):
    class Meta:
        model = AgreementSource

    agreement = factory.SubFactory(AgreementFactory)
    source = factory.SubFactory(SourceFactory)
    is_primary = True


class DocumentFactory(factory.django.DjangoModelFactory[Document]):
    class Meta:
        model = Document

    agreement = factory.SubFactory(AgreementFactory)
    url = factory.Sequence(lambda n: f"https://www.osha.gov/alliances/{n}")
    language = Document.Language.ENGLISH
    kind = Document.Kind.FULL_TEXT


class EditionFactory(factory.django.DjangoModelFactory[Edition]):
    class Meta:
        model = Edition
        django_get_or_create = ["year"]

    year = 2017
    number = factory.LazyAttribute(lambda o: o.year - 2008)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Worker centre {n}")
    slug = factory.Sequence(lambda n: f"worker-centre-{n}")
    kind = Organization.Kind.WORKER_CENTER


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Hotline {n}")
    slug = factory.Sequence(lambda n: f"hotline-{n}")
    kind = Programme.Kind.HOTLINE


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A public main phone of a consulate, as an official page stated it."""

    class Meta:
        model = Contact

    office = factory.SubFactory("tests.factories.ConsulateFactory")
    kind = "main_phone"
    value = factory.Sequence(lambda n: f"+1713271{6800 + n % 1000:04d}")
    as_of = date(2025, 9, 4)
    as_of_precision = "day"
    source = factory.SubFactory(SourceFactory)
    standing = "current"
    is_published = True


class ProgrammeContactFactory(factory.django.DjangoModelFactory[ProgrammeContact]):
    class Meta:
        model = ProgrammeContact

    programme = factory.SubFactory(ProgrammeFactory)
    kind = "hotline"
    value = "+12133516800"
    as_of = date(2025, 1, 1)
    as_of_precision = "day"
    source = factory.SubFactory(SourceFactory)
    standing = "current"
    is_published = True


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title_en = factory.Sequence(lambda n: f"Workshop {n}")
    kind = Event.Kind.WORKSHOP
    city = factory.SubFactory(CityFactory)
    host_office = factory.SubFactory(ConsulateFactory)
    starts_at = datetime(2017, 8, 28, 10, tzinfo=ZoneInfo("America/Chicago"))
    time_zone = "America/Chicago"
    is_published = True


class OutcomeFactory(factory.django.DjangoModelFactory[Outcome]):
    class Meta:
        model = Outcome

    edition = factory.SubFactory(EditionFactory)
    metric = Outcome.Metric.EVENTS
    value = 169
    source = factory.SubFactory(SourceFactory)


def role(name: str) -> Group:
    """A role's group (made by `migrate`, and again after a flush)."""
    return Group.objects.get(name=name)


def curator(username: str = "curator", **fields: object) -> User:
    """A staff member in the curator group (password "pw")."""
    user = User.objects.create_user(username, password="pw", is_staff=True, **fields)
    user.groups.add(role(CURATOR))
    return user


def event_editor(username: str, *offices: Office, **fields: object) -> User:
    """A staff member in the event editor group, belonging to `offices`."""
    user = User.objects.create_user(username, password="pw", is_staff=True, **fields)
    user.groups.add(role(EVENT_EDITOR))
    for office in offices:
        Membership.objects.create(user=user, office=office)
    return user
