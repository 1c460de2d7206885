"""schema.org descriptions (JSON-LD) of the public pages' records (agreements,
offices, events), for search engines and other sites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from outreach.models import Event
from registry.models import Agreement, Contact, ContactKind, Office

LANGUAGES = {"en": "en", "es": "es"}


def agreement_data(request: HttpRequest, agreement: Agreement) -> dict[str, Any]:
    """An agreement as a schema.org Legislation."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": agreement.title,
        "legislationType": agreement.get_kind_display(),
        "url": request.build_absolute_uri(agreement.get_absolute_url()),
        "identifier": agreement.slug,
        "legislationLegalForce": {
            "in_force": "InForce",
            "expiring": "InForce",
            "expired": "NotInForce",
            "superseded": "NotInForce",
        }.get(agreement.status, None),
        "legislationPassedBy": [
            _organization(party.office.name if party.office else str(party.agency))
            for party in agreement.parties.all()
        ],
        "workTranslation": [],
    }
    if agreement.signed.precision == "day" and agreement.signed_on:
        data["legislationDate"] = agreement.signed_on.isoformat()
    elif agreement.signed.is_known:
        data["temporalCoverage"] = agreement.signed.iso()
    if agreement.summary:
        data["abstract"] = agreement.summary
    if agreement.title_es:
        data["alternateName"] = agreement.title_es
    data["isBasedOn"] = [
        citation.source.url
        for citation in agreement.citations.all()
        if citation.source.url
    ]
    documents = list(agreement.documents.all())
    if documents:
        data["encoding"] = [
            {
                "@type": "MediaObject",
                "contentUrl": d.url,
                "inLanguage": LANGUAGES.get(d.language, d.language),
            }
            for d in documents
        ]
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def office_data(
    request: HttpRequest, office: Office, contacts: Iterable[Contact] = ()
) -> dict[str, Any]:
    """An office as a schema.org GovernmentOffice, with its public phone,
    e-mail and street address (the first of each among `contacts`)."""
    first: dict[str, Contact] = {}
    for contact in contacts:
        if contact.office_id == office.pk:
            first.setdefault(contact.kind, contact)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOffice",
        "name": office.name,
        "url": request.build_absolute_uri(office.get_absolute_url()),
        "parentOrganization": _organization(office.agency.name),
    }
    if office.website:
        data["sameAs"] = office.website
    phone = first.get(ContactKind.MAIN_PHONE) or first.get(ContactKind.PROTECTION_LINE)
    if phone:
        data["telephone"] = phone.value.split(";")[0]
    if ContactKind.EMAIL in first:
        data["email"] = first[ContactKind.EMAIL].value
    if office.city:
        address = {
            "@type": "PostalAddress",
            "addressLocality": office.city.name,
            "addressCountry": "US",
        }
        if office.city.state:
            address["addressRegion"] = office.city.state.code
        if ContactKind.ADDRESS in first:
            address["streetAddress"] = first[ContactKind.ADDRESS].value
        data["address"] = address
        if office.city.latitude is not None and office.city.longitude is not None:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(office.city.latitude),
                "longitude": float(office.city.longitude),
            }
    return data


def _organization(name: str) -> dict[str, str]:
    return {"@type": "GovernmentOrganization", "name": name}


STATUS = {
    Event.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Event.Status.HELD: "https://schema.org/EventScheduled",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}
MODE = {
    Event.Mode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Event.Mode.VIRTUAL: "https://schema.org/OnlineEventAttendanceMode",
    Event.Mode.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def event_data(request: HttpRequest, event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "eventStatus": STATUS[Event.Status(event.status)],
    }
    if event.mode in MODE:
        data["eventAttendanceMode"] = MODE[Event.Mode(event.mode)]
    for key, moment in (("startDate", event.local_start), ("endDate", event.local_end)):
        if moment is not None:
            data[key] = (
                moment.date().isoformat() if event.is_all_day else moment.isoformat()
            )
    if event.description:
        data["description"] = event.description
    if event.city or event.venue:
        place: dict[str, Any] = {
            "@type": "Place",
            "name": event.venue or str(event.city),
        }
        if event.city:
            place["address"] = {
                "@type": "PostalAddress",
                "addressLocality": event.city.name,
                "addressRegion": event.city.state.code if event.city.state else "",
                "addressCountry": "US",
            }
        data["location"] = place
    elif event.mode == Event.Mode.VIRTUAL:
        data["location"] = {"@type": "VirtualLocation", "url": data["url"]}
    if event.host_office:
        data["organizer"] = {
            "@type": "GovernmentOrganization",
            "name": event.host_office.name,
        }
    if event.title_es:
        data["alternateName"] = (
            event.title_es if event.title != event.title_es else event.title_en
        )
    return data
