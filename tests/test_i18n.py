"""French is the source language; every string the UI shows has its English."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("agency/**.py", "python"), ("debtor_portal/**.py", "python"),
           ("templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords={"_": None, "gettext": None, "_l": None,
                                                     "lazy_gettext": None, "ngettext": (1, 2),
                                                     "N_": None}):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_ui_string_has_its_english():
    with (ROOT / "agency/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(source_messages() - translated)
    assert missing == [], f"add these to the English catalog: {missing}"
