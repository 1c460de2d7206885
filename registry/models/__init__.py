"""The registry's models, by sub-domain:

- places: countries, states, cities
- sources: where facts come from
- agencies: agencies, offices, jurisdictions, office memberships
- vocabulary: laws and topics
- agreements: agreements, parties, their sources and documents
- status: an agreement's derived status, in Python and in SQL, side by side
- contacts: how to reach an office or agency (phones, addresses)
- corrections: visitors' correction reports
"""

from .agencies import (
    Agency,
    AgencyQuerySet,
    Jurisdiction,
    Membership,
    Office,
    OfficeQuerySet,
)
from .agreements import (
    Agreement,
    AgreementQuerySet,
    AgreementSource,
    Document,
    Party,
    hide_draft_references,
)
from .contacts import (
    PHONE_KINDS,
    Contact,
    ContactKind,
    ContactPoint,
    ContactQuerySet,
    Standing,
    parse_phone,
)
from .corrections import CorrectionReport
from .places import City, Country, GatewayType, State, validate_time_zone
from .sources import Source, SourcedQuerySetMixin
from .status import EXPIRING_WITHIN_DAYS
from .vocabulary import Law, Topic

__all__ = [
    "EXPIRING_WITHIN_DAYS",
    "PHONE_KINDS",
    "Agency",
    "AgencyQuerySet",
    "Agreement",
    "AgreementQuerySet",
    "AgreementSource",
    "City",
    "Contact",
    "ContactKind",
    "ContactPoint",
    "ContactQuerySet",
    "CorrectionReport",
    "Country",
    "Document",
    "GatewayType",
    "Jurisdiction",
    "Law",
    "Membership",
    "Office",
    "OfficeQuerySet",
    "Party",
    "Source",
    "SourcedQuerySetMixin",
    "Standing",
    "State",
    "Topic",
    "hide_draft_references",
    "parse_phone",
    "validate_time_zone",
]
