"""Property-based fuzzing of intake: no input crashes or hangs it, no good row is lost."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agency.domain.intake import (IntakeContext, IntakeError, RowNormaliser, guess_columns,
                                  map_columns, open_table, read_claims)
from agency.domain.intake.xlsxfile import convert_cell
from agency.domain.money import Money

CTX = IntakeContext(currency="XOF", country="SN", today=date(2025, 1, 15), locale="fr_SN")
FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def consume(data: bytes, filename: str) -> None:
    """The whole pipeline; only IntakeError may come out of it."""
    try:
        with open_table(data, filename) as table:
            table.estimate_rows()
            normaliser = RowNormaliser(guess_columns(table.header), CTX)
            for raw in table.rows():
                outcome = normaliser.normalise(raw)
                assert outcome.ok != bool(outcome.errors)
                assert all(error.line == raw.line for error in outcome.errors)
    except IntakeError as error:
        assert error.message


FILENAMES = st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"])


@FUZZ
@given(data=st.binary(max_size=3000), filename=FILENAMES)
def test_random_bytes_never_crash(data, filename):
    consume(data, filename)


@FUZZ
@given(prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0",
                               b"Nom;Montant\n", b"Garant,Montant\r\n"]),
       data=st.binary(max_size=2000), filename=FILENAMES)
def test_random_bytes_behind_magic_numbers_never_crash(prefix, data, filename):
    consume(prefix + data, filename)


@FUZZ
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_random_text_never_crashes(text, encoding):
    consume(text.encode(encoding, "replace"), "f.csv")


TABLE_ALPHABET = st.sampled_from(list(';,\t"\n\r ') + list("aZé0159./-+€") + ["Nom", "Montant", "Date"])


@FUZZ
@given(parts=st.lists(TABLE_ALPHABET, max_size=400))
def test_random_table_like_text_never_crashes(parts):
    consume(("Nom;Montant;Date facture\n" + "".join(parts)).encode(), "f.csv")


# --- a file mixing good rows with bad ones ------------------------------------------------

HEADER = ["Nom", "Montant", "Date facture", "Référence", "Adresse"]
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèçôÉÀ ABCDEFGHIJKLMNOPQRSTUVWXYZ'&", min_size=1, max_size=25)
NAME = NAME.map(str.strip).filter(lambda n: n and n.lower() not in {"total", "totaux"})


@st.composite
def good_rows(draw):
    amount = draw(st.integers(min_value=1, max_value=10**12))
    shown = draw(st.sampled_from([str(amount), f"{amount:,}".replace(",", " "),
                                  f"{amount:,}".replace(",", "\u00a0"), f"{amount} FCFA"]))
    day = date(2000, 1, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=9000)))
    written = draw(st.sampled_from([f"{day:%d/%m/%Y}", day.isoformat(), f"{day:%d.%m.%Y}"]))
    address = draw(st.sampled_from(["", "Rue 1", "Rue 1\nImmeuble B", "BP 12\nDakar\nSénégal"]))
    return {"name": draw(NAME), "amount": amount, "shown": shown, "date": day, "written": written,
            "address": address}


BAD_CELLS = {  # column -> values that must reject the row
    1: ["", "abc", "0", "-5", "12,5", "100 EUR"],
    2: ["31/02/2024", "hier", "01/01/2030"],
    0: ["", "   "],
    3: [""],
}


@st.composite
def bad_rows(draw):
    column = draw(st.sampled_from(sorted(BAD_CELLS)))
    cells = ["Bad Name", "1000", "01/02/2024", "REF", ""]
    cells[column] = draw(st.sampled_from(BAD_CELLS[column]))
    return cells


JUNK = st.text(alphabet="abcdefgh0123456789;,.\t /-", max_size=40)


@st.composite
def mixed_files(draw):
    entries = draw(st.lists(st.one_of(
        good_rows().map(lambda row: ("good", row)), bad_rows().map(lambda row: ("bad", row)),
        JUNK.map(lambda text: ("junk", text)), st.just(("blank", ""))), max_size=40))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return entries, quoting, newline, draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))


def _render(entries, quoting, newline):
    """The file's text, and the line each entry starts on."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=quoting, lineterminator=newline)
    writer.writerow(HEADER)
    lines, line = [], 2
    for index, (kind, row) in enumerate(entries):
        start = out.tell()
        if kind == "good":
            writer.writerow([row["name"], row["shown"], row["written"], f"GOOD-{index}", row["address"]])
        elif kind == "bad":
            writer.writerow(row[:3] + [row[3].replace("REF", f"BAD-{index}")] + row[4:])
        else:
            out.write(row + newline)
        lines.append(line)
        line += out.getvalue()[start:].count("\n")
    return out.getvalue(), lines


@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_files())
def test_every_good_row_lands_once_and_every_bad_row_is_reported(case):
    entries, quoting, newline, encoding = case
    text, lines = _render(entries, quoting, newline)
    with open_table(text.encode(encoding), "f.csv") as table:
        outcomes = list(read_claims(table, map_columns(table.header), CTX))
    by_line: dict[int, list] = {}
    for outcome in outcomes:
        by_line.setdefault(outcome.line, []).append(outcome)
    entries = [("blank", "") if kind == "junk" and not row.strip("; \t") else (kind, row)
               for kind, row in entries]
    expected_lines = {line for (kind, _), line in zip(entries, lines) if kind != "blank"}
    assert set(by_line) == expected_lines
    for (kind, row), line in zip(entries, lines):
        if kind == "blank":
            continue
        (outcome,) = by_line[line]
        if kind == "good":
            claim = outcome.claim
            assert claim is not None, outcome.errors
            assert (claim.debtor.name, claim.amount, claim.issue_date) == (
                " ".join(row["name"].split()), Money(row["amount"], "XOF"), row["date"])
            assert claim.extras == {}
            assert claim.debtor.address == (" ".join(row["address"].split()) or None)
        elif kind == "bad":
            assert outcome.errors and all(error.line == line for error in outcome.errors)


@st.composite
def files_with_stray_quotes(draw):
    rows = draw(st.lists(st.one_of(
        good_rows().map(lambda row: ("good", row)),
        st.text(alphabet='abc;" ', min_size=1, max_size=12).map(lambda t: ("junk", '"' + t))),
        min_size=1, max_size=30))
    return rows


@settings(max_examples=150, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(files_with_stray_quotes())
def test_stray_quotes_never_swallow_good_rows(entries):
    lines_out, good, line = ["Nom;Montant;Date facture"], {}, 2
    for kind, row in entries:
        if kind == "good":
            lines_out.append(f"{row['name']};{row['amount']};{row['written']}")
            good[line] = row
        else:
            lines_out.append(row)
        line += 1
    with open_table("\n".join(lines_out).encode(), "f.csv") as table:
        outcomes = list(read_claims(table, map_columns(table.header), CTX))
    landed = {o.line: o.claim for o in outcomes if o.claim is not None and o.line in good}
    assert set(landed) == set(good)
    for line, row in good.items():
        assert landed[line].amount == Money(row["amount"], "XOF")


# --- spreadsheet numbers --------------------------------------------------------------------

@settings(max_examples=300, deadline=1000)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(),
                 st.text(max_size=5), st.none(), st.dates()))
def test_spreadsheet_values_never_come_out_as_floats(value):
    assert not isinstance(convert_cell(value), float)


@settings(max_examples=15, deadline=5000)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**12 - 1),
                          st.integers(min_value=0, max_value=99)), min_size=1, max_size=20))
def test_xlsx_amounts_survive_the_float_storage(amounts):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Garant", "Montant"])
    for units, cents in amounts:
        sheet.append([f"G{units}", float(f"{units}.{cents:02d}")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mad = IntakeContext(currency="MAD", country="MA", today=CTX.today, locale="fr_MA")
    with open_table(buffer.getvalue(), "f.xlsx") as table:
        claims = [o.claim for o in read_claims(table, map_columns(table.header), mad)]
    assert [c.amount for c in claims] == [Money(u * 100 + c, "MAD") for u, c in amounts]
