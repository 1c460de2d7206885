"""schema.org descriptions (JSON-LD) of the registry's records, for search
engines and other sites."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Agreement, Office

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


def office_data(request: HttpRequest, office: Office) -> dict[str, Any]:
    """An office as a schema.org GovernmentOffice."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOffice",
        "name": office.name,
        "url": request.build_absolute_uri(office.get_absolute_url()),
        "parentOrganization": _organization(office.agency.name),
    }
    if office.website:
        data["sameAs"] = office.website
    if office.phone:
        data["telephone"] = office.phone
    if office.city:
        address = {
            "@type": "PostalAddress",
            "addressLocality": office.city.name,
            "addressCountry": "US",
        }
        if office.city.state:
            address["addressRegion"] = office.city.state.code
        if office.address:
            address["streetAddress"] = office.address
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
