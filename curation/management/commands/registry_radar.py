"""E-mail the curators the review queue and renewal radar; run daily."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from curation.radar import Radar, build_radar
from curation.roles import CURATOR
from registry.models import EXPIRING_WITHIN_DAYS, Agreement, CorrectionReport

#: Rows listed per section in the mail; the review page lists them all.
EMAIL_ROWS = 25


@dataclass(frozen=True)
class Line:
    text: str
    url: str


@dataclass(frozen=True)
class Section:
    """One section of the digest, cut to EMAIL_ROWS lines."""

    title: str
    count: int
    lines: list[Line]
    empty: str

    @property
    def more(self) -> int:
        return self.count - len(self.lines)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("Not a date: %(value)s. Use YYYY-MM-DD.") % {"value": text}
        ) from None


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def change_url(obj: Model) -> str:
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_change"
    return site_url() + reverse(name, args=[obj.pk])


def section(title: str, rows: list[Any], text: Any, empty: str) -> Section:
    """A section whose lines read `text(row)` and link to the row's admin page."""
    lines = [Line(text(row), change_url(row)) for row in rows[:EMAIL_ROWS]]
    return Section(title, len(rows), lines, empty)


def with_parties(agreement: Agreement) -> str:
    parties = "; ".join(str(party) for party in agreement.parties.all())
    return f"{agreement} ({parties})" if parties else str(agreement)


def renewal_note(agreement: Agreement) -> str:
    renewal = getattr(agreement, "renewal", None)
    if renewal is None:
        return ""
    if renewal.is_published:
        return "; " + _("renewal: %(renewal)s") % {"renewal": renewal}
    return "; " + _("draft renewal: %(renewal)s") % {"renewal": renewal}


def expiring_line(agreement: Agreement, today: date) -> str:
    assert agreement.expiry_earliest is not None  # expiring implies a known expiry
    days = (agreement.expiry_earliest - today).days
    values = {
        "agreement": with_parties(agreement),
        "expiry": agreement.expiry,
        "days": days,
    }
    if days > 0:
        text = ngettext(
            "%(agreement)s: expires %(expiry)s, in %(days)d day",
            "%(agreement)s: expires %(expiry)s, in %(days)d days",
            days,
        )
    else:  # an interval whose first possible day has passed
        text = _("%(agreement)s: expires %(expiry)s")
    return text % values + renewal_note(agreement)


def expired_line(agreement: Agreement) -> str:
    if agreement.expiry_latest is None:
        text = _("%(agreement)s: concluded, date unknown") % {
            "agreement": with_parties(agreement)
        }
    else:
        text = _("%(agreement)s: expired %(expiry)s") % {
            "agreement": with_parties(agreement),
            "expiry": agreement.expiry,
        }
    return text + renewal_note(agreement)


def report_line(report: CorrectionReport) -> str:
    received = timezone.localtime(report.created_at).date().isoformat()
    about = report.agreement or report.page_url
    message = Truncator(" ".join(report.message.split())).chars(100)
    line = f"{received} · {about}: {message}"
    if report.status != CorrectionReport.Status.NEW:
        line += f" [{report.get_status_display()}]"
    return line


def office_line(office: Any) -> str:
    text = f"{office.agency}: {office}"
    if office.last_expiry:
        text += " " + _("(last agreement expired %(day)s)") % {
            "day": office.last_expiry.isoformat()
        }
    return text


def digest_sections(radar: Radar) -> list[Section]:
    """The radar as the mail shows it, section by section."""
    offices = [o for group in radar.offices_without_agreement for o in group.offices]
    sections = [
        section(
            _("Open correction reports"),
            radar.open_reports,
            report_line,
            _("No open correction reports."),
        ),
        section(
            _("Expiring within %(days)s days") % {"days": EXPIRING_WITHIN_DAYS},
            radar.expiring,
            lambda a: expiring_line(a, radar.today),
            _("No published agreement expires soon."),
        ),
        section(
            _("Expired without renewal"),
            radar.expired_without_renewal,
            expired_line,
            _("Every expired agreement has a published renewal."),
        ),
        section(
            _("Offices with no agreement in force"),
            offices,
            office_line,
            _("Every open office is a party to an agreement in force."),
        ),
    ]
    sections += [
        section(
            _("%(records)s without a source")
            % {"records": capfirst(unsourced.opts.verbose_name_plural)},
            unsourced.rows,
            str,
            _("Every record cites a source."),
        )
        for unsourced in radar.without_source
    ]
    sections += [
        section(
            _("Draft agreements awaiting publication"),
            radar.draft_agreements,
            str,
            _("No draft agreements."),
        ),
        section(
            _("Draft events awaiting publication"),
            radar.draft_events,
            str,
            _("No draft events."),
        ),
        section(
            _("Contacts to confirm"),
            radar.contact_leads,
            lambda c: f"{c.display_value} ({c.get_kind_display()}), {c.owner}",
            _("No contact waits for confirmation."),
        ),
    ]
    return sections


def subject(radar: Radar) -> str:
    expiring = len(radar.expiring)
    expired = len(radar.expired_without_renewal)
    reports = len(radar.open_reports)
    counts = [
        ngettext("%(count)d expiring", "%(count)d expiring", expiring)
        % {"count": expiring},
        ngettext(
            "%(count)d expired without renewal",
            "%(count)d expired without renewal",
            expired,
        )
        % {"count": expired},
        ngettext("%(count)d open report", "%(count)d open reports", reports)
        % {"count": reports},
    ]
    return _("Registry radar for %(day)s: %(counts)s") % {
        "day": radar.today.isoformat(),
        "counts": ", ".join(counts),
    }


def recipients() -> list[str]:
    """Active curators and superusers with an e-mail address."""
    users = get_user_model().objects.filter(
        Q(groups__name=CURATOR) | Q(is_superuser=True), is_active=True
    )
    addresses = users.exclude(email="").values_list("email", flat=True)
    return sorted(set(addresses))


class Command(BaseCommand):
    help = (
        "E-mail curators the review queue and renewal radar: open correction "
        "reports, agreements expiring or expired without renewal, offices with no "
        "agreement in force, records without a source, drafts. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the digest instead of sending it.",
        )
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            type=parse_day,
            help="Build the radar as of this day (YYYY-MM-DD); default today.",
        )

    def handle(
        self,
        *args: Any,
        dry_run: bool = False,
        day: date | None = None,
        **options: Any,
    ) -> None:
        radar = build_radar(day)
        context = {
            "radar": radar,
            "sections": digest_sections(radar),
            "review_url": site_url() + reverse("admin-review"),
        }
        title = subject(radar)
        text = render_to_string("curation/radar_email.txt", context)
        if dry_run:
            self.stdout.write(f"{title}\n\n{text}")
            return
        to = recipients()
        if not to:
            self.stdout.write(
                _(
                    "No active curator or superuser has an e-mail address; "
                    "the radar was not sent."
                )
            )
            return
        html = render_to_string("curation/radar_email.html", context)
        messages = []
        for address in to:  # one mail each: curators do not see each other's address
            message = EmailMultiAlternatives(title, text, to=[address])
            message.attach_alternative(html, "text/html")
            messages.append(message)
        get_connection().send_messages(messages)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Radar sent to %(count)d recipient.",
                    "Radar sent to %(count)d recipients.",
                    len(to),
                )
                % {"count": len(to)}
            )
        )
