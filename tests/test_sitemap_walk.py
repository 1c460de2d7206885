"""Every page of the sitemap, over the seed data, answers in both languages:
no 404, and no heading left in English on the Spanish page."""

import re
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest

from tests.helpers import sitemap_locations

ROOT = Path(__file__).resolve().parents[1]
#: Pages whose main heading is a record's own text, which has a Spanish form.
TRANSLATED_TITLES = ("/agreements/", "/events/", "/labor-rights-week/")


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]


def headings(html):
    """The text of each h1, h2 and h3, tags and spacing dropped."""
    found = re.findall(r"<h([123])[^>]*>(.*?)</h\1>", html, re.S)
    return [
        (level, " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()))
        for level, text in found
    ]


def interface_strings():
    """The English interface strings of the catalogue (without placeholders)."""
    catalogue = polib.pofile(str(ROOT / "locale/es/LC_MESSAGES/django.po"))
    return {entry.msgid for entry in catalogue if "%" not in entry.msgid}


def sitemap_paths(client):
    paths = {urlsplit(location).path for location in sitemap_locations(client)}
    return sorted(path for path in paths if not path.startswith("/es/"))


def test_every_sitemap_page_answers_in_english_and_in_spanish(client):
    english_strings = interface_strings()
    paths = sitemap_paths(client)
    assert len(paths) > 450  # every agreement, office, city... of the seed
    assert {"/data/", "/help/", "/numbers/"} <= set(paths)
    problems = []
    for path in paths:
        english = client.get(path)
        spanish = client.get(f"/es{path}")
        if english.status_code != 200 or spanish.status_code != 200:
            problems.append(f"{path}: {english.status_code} / {spanish.status_code}")
            continue
        ours = headings(english.content.decode())
        theirs = headings(spanish.content.decode())
        for _level, text in theirs:
            if text in english_strings:
                problems.append(f"/es{path}: heading left in English: {text!r}")
        if path.startswith(TRANSLATED_TITLES):
            first_en = next((t for lvl, t in ours if lvl == "1"), "")
            first_es = next((t for lvl, t in theirs if lvl == "1"), "")
            if first_en == first_es:
                problems.append(
                    f"/es{path}: the title is the English one: {first_es!r}"
                )
    assert problems == []
