#!/usr/bin/env python3
"""Check OUT/workbook.xlsx against the CSVs beside it, as two spreadsheet programs read it.

usage: workbook_check.py OUT

1. openpyxl (pip install openpyxl): the sheets measures (with measures_2, … if split), themes,
   group_theme and reports exist, each with a frozen header row and an autofilter; the measures
   and reports sheets give the rows of measures.csv and reports.csv (numbers as numbers, compared
   as the CSV writes them: integers, or 4 decimals).
2. LibreOffice (`soffice --headless --convert-to csv`, every sheet, cells as shown): the measures
   sheet exported to CSV gives the rows of measures.csv. Skipped, and said so, without soffice.

Prints one line per check and exits 1 if any fails.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def as_csv(value):
    """A workbook cell as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def same_cell(g, w):
    """Equal text, or numbers equal to the CSV's 4 decimals (a spreadsheet shows -0.00001 as
    0.0000 where the CSV writes -0.0000)."""
    if g == w:
        return True
    try:
        return abs(float(g) - float(w)) <= 5e-5
    except ValueError:
        return False


def same_rows(name, got, want, failures):
    if len(got) != len(want):
        failures.append(f"{name}: {len(got)} rows, the CSV has {len(want)}")
        return
    for i, (g, w) in enumerate(zip(got, want)):
        g = list(g) + [""] * (len(w) - len(g))
        if not all(same_cell(a, b) for a, b in zip(g, w)) or any(g[len(w):]):
            diff = next(j for j in range(len(w)) if not same_cell(g[j], w[j]))
            failures.append(f"{name}: row {i + 1} column {want[0][diff] if i else diff}: {g[diff]!r} != {w[diff]!r}")
            return


def check_openpyxl(out, failures):
    import openpyxl

    book = openpyxl.load_workbook(os.path.join(out, "workbook.xlsx"), read_only=False)
    names = book.sheetnames
    for sheet in ["measures", "themes", "group_theme", "reports"]:
        if sheet not in names:
            failures.append(f"openpyxl: no sheet {sheet} (sheets: {names})")
    for ws in book.worksheets:
        if ws.freeze_panes != "A2":
            failures.append(f"openpyxl: {ws.title}: header row not frozen ({ws.freeze_panes})")
        if not ws.auto_filter.ref:
            failures.append(f"openpyxl: {ws.title}: no autofilter")
    measures = []
    for part in [n for n in names if n == "measures" or n.startswith("measures_")]:
        rows = [[as_csv(c) for c in r] for r in book[part].iter_rows(values_only=True)]
        measures.extend(rows if not measures else rows[1:])
    want = csv_rows(os.path.join(out, "measures.csv"))
    same_rows("openpyxl measures", measures, want, failures)
    reports = [[as_csv(c) for c in r] for r in book["reports"].iter_rows(values_only=True)]
    same_rows("openpyxl reports", reports, csv_rows(os.path.join(out, "reports.csv")), failures)
    numbers = sum(isinstance(c, (int, float)) for r in book["measures"].iter_rows(min_row=2, values_only=True) for c in r)
    print(f"openpyxl: sheets {names}; {len(measures) - 1} measure rows; {numbers} numeric cells in measures")


def check_libreoffice(out, failures):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("libreoffice: soffice not found, check skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # Field separator, quote, UTF-8, first line, no column formats, language, no quoting of
        # all text, detect numbers, cells as shown, …, every sheet (-1) to a file of its own.
        filt = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", filt, "--outdir", tmp, os.path.join(out, "workbook.xlsx")],
                       check=True, capture_output=True)
        path = os.path.join(tmp, "workbook-measures.csv")
        if not os.path.exists(path):
            failures.append(f"libreoffice: no measures sheet exported ({sorted(os.listdir(tmp))})")
            return
        got = csv_rows(path)
        same_rows("libreoffice measures", got, csv_rows(os.path.join(out, "measures.csv")), failures)
        print(f"libreoffice: {len(got) - 1} measure rows exported")


def main():
    out = sys.argv[1]
    failures = []
    check_openpyxl(out, failures)
    check_libreoffice(out, failures)
    for f in failures:
        print("FAIL", f)
    print("workbook: ok" if not failures else f"workbook: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
