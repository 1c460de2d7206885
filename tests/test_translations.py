"""The Spanish catalogue: complete, compiled, and in step with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*[\w.]+\s*\}\}|\{\w*\}")


def entries():
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_every_ui_string_has_a_spanish_translation():
    catalogue = entries()
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert len(catalogue) > 500


def test_translations_keep_every_placeholder():
    broken = []
    for entry in entries():
        pairs = (
            [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(
                PLACEHOLDER.findall(translated)
            ):
                broken.append(entry.msgid)
    assert broken == []


def test_compiled_catalogue_matches_the_po_file():
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in entries()}
    mo = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.mofile(str(CATALOGUE / "django.mo"))
        if e.msgid  # the header
    }
    assert mo == po, "run `make messages` to recompile django.mo"


def test_the_site_speaks_spanish():
    with translation.override("es"):
        assert translation.gettext("Agreements") == "Acuerdos"
        assert (
            translation.ngettext("%(counter)s agreement", "%(counter)s agreements", 2)
            % {"counter": 2}
            == "2 acuerdos"
        )


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="no xgettext: apt-get install gettext"
)
def test_catalogue_holds_exactly_the_strings_of_the_code(tmp_path):
    """Regenerating the catalogue from the code adds and drops nothing, so
    every string in the templates and code is in django.po (and translated).

    makemessages writes into every locale/ directory it finds, so it runs on a
    copy of the project, never on the committed catalogue.
    """
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "node_modules", "docs", "fixtures", "staticfiles", "*.sqlite3"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "es",
            "--no-obsolete",
            "--ignore",
            "static/map/*",
            "--verbosity",
            "0",
        ],
        cwd=copy,
        check=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    regenerated = polib.pofile(
        str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    )
    assert {e.msgid for e in regenerated} == {e.msgid for e in entries()}
