"""The events as an iCalendar (RFC 5545) file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from outreach.models import Event

#: The domain part of every UID: stable whatever host serves the file.
UID_DOMAIN = "labour-agreements-registry"


def calendar_response(request: HttpRequest, events: Iterable[Event]) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//Labour agreements registry//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Labour rights events"))
    for event in events:
        calendar.add_component(calendar_event(request, event))
    calendar.add_missing_timezones()
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="events.ics"'
    return response


def calendar_event(request: HttpRequest, event: Event) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.slug}@{UID_DOMAIN}")
    entry.add("summary", event.title)
    entry.add("dtstamp", event.updated_at or timezone.now())
    entry.add("last-modified", event.updated_at or timezone.now())
    start, end = event.local_start, event.local_end
    assert start is not None  # undated events are left out of calendars
    if event.is_all_day:
        entry.add("dtstart", start.date())
        entry.add("dtend", (end or start).date() + timedelta(days=1))  # exclusive
    else:
        entry.add("dtstart", start)
        if end:
            entry.add("dtend", end)
    url = request.build_absolute_uri(event.get_absolute_url())
    entry.add("url", url)
    host = (
        _("Host: %(office)s") % {"office": event.host_office}
        if event.host_office
        else ""
    )
    description = [event.description, host, url]
    if event.date_note:
        description.insert(1, event.date_note)
    entry.add("description", "\n\n".join(part for part in description if part))
    location = ", ".join(str(part) for part in (event.venue, event.city) if part)
    if event.mode == Event.Mode.VIRTUAL:
        location = location or _("Online")
    if location:
        entry.add("location", location)
    entry.add(
        "status",
        {"cancelled": "CANCELLED", "scheduled": "TENTATIVE", "held": "CONFIRMED"}[
            event.status
        ],
    )
    return entry
