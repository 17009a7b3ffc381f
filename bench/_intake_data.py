"""A realistic portfolio file for the intake bench: a lender's CSV, about 2% bad rows."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

HEADER = ["N° dossier", "Référence facture", "Nom ou raison sociale", "NINEA", "Téléphone",
          "Email", "Montant (F CFA)", "Date facture", "Échéance", "Ville", "Agence"]
FIRST = ["Awa", "Moussa", "Fatou", "Ibrahima", "Aminata", "Cheikh", "Ndèye", "Ousmane", "Mariama",
         "Abdoulaye", "Khady", "Mamadou", "Aïssatou", "Babacar", "Seynabou"]
LAST = ["Diop", "Ndiaye", "Fall", "Sow", "Ba", "Sarr", "Gueye", "Faye", "Diallo", "Mbaye",
        "Cissé", "Kane", "Thiam", "Sy", "Camara"]
CITIES = ["Dakar", "Thiès", "Saint-Louis", "Ziguinchor", "Kaolack", "Touba", "Mbour"]
BAD = [  # (column, bad value): missing amount, not positive, unreadable date, ...
    (6, ""), (6, "-12 000"), (7, "31/02/2025"), (2, ""), (6, "douze mille"), (7, "2025-13-45")]


def _debtor(n: int) -> list[str]:
    if n % 5 == 0:
        return [f"Société {LAST[n % 15]} & Fils SARL {n}", f"SN{n:09d}", f"33 8{n % 100:02d} {n % 1000:03d} {n % 100:02d}",
                f"compta{n}@entreprise.sn"]
    name = f"{FIRST[(n * 7) % 15]} {LAST[n % 15]} {n}"
    return [name, "", f"77 {n % 1000:03d} {(n // 1000) % 100:02d} {n % 97:02d}", ""]


def write_file(path: Path, rows: int, seed: int = 2026) -> int:
    """Write ``rows`` data rows (one claim each, about 3 claims per case); returns bad rows."""
    rng = random.Random(seed)
    bad = 0
    start = date(2025, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for line in range(rows):
            case = line // 3
            issued = start + timedelta(days=rng.randrange(400))
            cells = [f"D{case:07d}", f"F{line:08d}", *_debtor(case),
                     f"{rng.randrange(5_000, 5_000_000):,}".replace(",", " "),
                     issued.strftime("%d/%m/%Y"), (issued + timedelta(days=30)).strftime("%d/%m/%Y"),
                     CITIES[case % 7], f"AG{case % 40:02d}"]
            if rng.random() < 0.02:
                column, value = BAD[rng.randrange(len(BAD))]
                cells[column] = value
                bad += 1
            out.write(";".join(cells) + "\r\n")
    return bad
