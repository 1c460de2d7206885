"""schema.org description (JSON-LD) of an event."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Event

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
