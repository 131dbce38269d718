#!/usr/bin/env python3
"""Drive index.html in headless Chromium as an analyst would, and fail on any wrong answer.

usage: scripts/page_check.py [--bin PATH] [--work DIR] [--shots DIR] [--corpus DIR]

Runs `policy-themes run` on the bundled sample, on a corpus of hostile text, and (when it is
there) on ../shared/corpus/provincial-2025, then opens each index.html from file:// with
Playwright for Python and the system Chromium (no browser is downloaded) and checks:

- every deep link (#cell=<group>/<theme>, #theme=<id>, #group=<name>, #q=<text>, kind=, year=)
  lists exactly the measures that measures.csv (joined to reports.csv for the group) gives;
- a search lists what a text search of measures.csv (text, heading, section_heading) finds;
- clicking a heatmap cell, a recurrence bar, a sections segment and a theme row lists its
  measures; the filters narrow the list;
- no console error and no page error;
- hostile text (<script>, <img onerror>, </script><script>, <!--, U+2028) put into report text,
  file names, township names and analysts' labels stays text: no injected element, no on*
  handler, no dialog, window.__pwned never set;
- screenshots of every view at 1,400 px wide into --shots (default WORK/shots).

Needs `pip install playwright` (the Python package only) and `chromium` on PATH.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=2\">",
    "</script><script>window.__pwned=3</script>",
    "<!--<script>window.__pwned=4</script>",
    "\u2028\u2029<svg onload=window.__pwned=5>",
]
GUARD = ("=", "+", "-", "@", "\t", "\r")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, file=sys.stderr)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def unguard(cell):
    """The text of a CSV cell as the program had it (a formula-looking cell got a ' first)."""
    if cell.startswith("'") and cell[1:2] and cell[1] in GUARD:
        return cell[1:]
    return cell


def expected(out):
    """Measures of measures.csv with their group (the reporting unit, as --group-by unit)."""
    groups = {}
    for r in read_csv(os.path.join(out, "reports.csv")):
        g = next((unguard(r[k]) for k in ("unit", "township", "county", "province") if r[k]), None)
        groups[r["report_id"]] = g
    rows = read_csv(os.path.join(out, "measures.csv"))
    for m in rows:
        m["group"] = groups.get(m["report_id"])
        for k in ("text", "heading", "section_heading", "township", "file"):
            m[k] = unguard(m[k])
    return rows


def run(binary, args, out):
    if os.path.exists(out):
        shutil.rmtree(out)
    cmd = [binary, "run", *args, "--out", out, "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {done.stderr}")


def hostile_corpus(work):
    """Reports whose text, file names, townships and labels are payloads."""
    d = os.path.join(work, "hostile-in")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    base = open(os.path.join(ROOT, "data", "sample", sorted(os.listdir(os.path.join(ROOT, "data", "sample")))[0]),
                encoding="utf-8").read()
    names = ["<img src=x onerror=window.__pwned=6>.txt", "<script>window.__pwned=7<\\script>.txt",
             "plain.txt"]
    for i, name in enumerate(names):
        lines = base.splitlines()
        # Payloads in a heading, in measures' text, and a line of its own.
        text = "\n".join(lines[:6] + [f"一、{PAYLOADS[i]}工作举措"] + [
            (l + PAYLOADS[(i + j) % len(PAYLOADS)]) if l.strip() else l for j, l in enumerate(lines[6:])])
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    manifest = os.path.join(work, "hostile-manifest.csv")
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "unit", "township"])
        for i, name in enumerate(names):
            w.writerow([name, PAYLOADS[i] + "镇", PAYLOADS[(i + 2) % len(PAYLOADS)] + "镇"])
    labels = os.path.join(work, "hostile-labels.toml")
    with open(labels, "w", encoding="utf-8") as f:
        f.write("[names]\n")
        for t, p in enumerate(PAYLOADS, start=1):
            f.write(f"T{t:02d} = {json.dumps(p, ensure_ascii=True)}\n")
    return d, ["--manifest", manifest, "--labels", labels, "--k", "5"]


class Page:
    def __init__(self, browser, out, name, shots):
        self.out, self.name, self.shots = out, name, shots
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        self.url = "file://" + os.path.abspath(os.path.join(out, "index.html"))
        self.page.goto(self.url)

    def listed(self):
        """Ids listed in #drill, after pressing "more" until all are shown."""
        p = self.page
        while p.is_visible("#drill-more"):
            p.click("#drill-more")
        return p.eval_on_selector_all("#drill [data-measure-id]", "els => els.map(e => e.dataset.measureId)")

    def goto(self, fragment):
        """Opens the view of `fragment` (a deep link) as a reload would."""
        self.page.goto(self.url + fragment)
        self.page.reload()
        return self.listed()

    def shot(self, view):
        if self.shots:
            self.page.screenshot(path=os.path.join(self.shots, f"{self.name}-{view}.png"))

    def shot_drill(self, view):
        if self.shots:
            self.page.locator("#drill").screenshot(path=os.path.join(self.shots, f"{self.name}-{view}.png"))


def same(what, got, want):
    if sorted(got) != sorted(want) or len(got) != len(set(got)):
        fail(f"{what}: page lists {len(got)} measures, measures.csv gives {len(want)}"
             f" (extra {sorted(set(got) - set(want))[:5]}, missing {sorted(set(want) - set(got))[:5]})")
        return False
    return True


def enc(s):
    return urllib.parse.quote(s, safe="")


def check_output(browser, out, name, shots, searches, cells_max=60):
    rows = expected(out)
    themes = read_csv(os.path.join(out, "themes.csv"))
    theme_ids = [t["theme"] for t in themes if t["theme"] != "unassigned"]
    group_theme = read_csv(os.path.join(out, "group_theme.csv"))
    pg = Page(browser, out, name, shots)
    p = pg.page
    limit = p.evaluate("JSON.parse(document.getElementById('pt-data').textContent).units.length")
    if limit < len(rows):
        print(f"{name}: the page embeds {limit} of {len(rows)} measures; deep links checked on those")
        rows = rows[:limit]
    pg.shot("top")
    by_cell, by_theme, by_group = {}, {}, {}
    for m in rows:
        by_cell.setdefault((m["group"], m["theme"]), []).append(m["measure_id"])
        by_theme.setdefault(m["theme"], []).append(m["measure_id"])
        by_group.setdefault(m["group"], []).append(m["measure_id"])
    checked = 0
    # Cells: every non-empty cell of group_theme.csv, up to cells_max, spread over the table.
    cells = [(r["group"], t) for r in group_theme for t in theme_ids if int(r.get(t, "0") or 0) > 0]
    step = max(1, len(cells) // cells_max)
    for g, t in cells[::step][:cells_max]:
        g = unguard(g)
        ok = same(f"{name} #cell={g}/{t}", pg.goto(f"#cell={enc(g)}/{enc(t)}"), by_cell.get((g, t), []))
        checked += 1
        if ok and checked == 1:
            pg.shot_drill("cell")
    for t in theme_ids:
        same(f"{name} #theme={t}", pg.goto(f"#theme={t}"), by_theme.get(t, []))
        checked += 1
    pg.shot_drill("theme")
    for g in sorted(by_group)[:30]:
        if g is None:
            continue
        same(f"{name} #group={g}", pg.goto(f"#group={enc(g)}"), by_group[g])
        checked += 1
    pg.shot_drill("group")
    for q in searches:
        want = [m["measure_id"] for m in rows
                if all(w.lower() in (m["text"] + "\n" + m["heading"] + "\n" + m["section_heading"]).lower()
                       for w in q.split())]
        same(f"{name} #q={q}", pg.goto(f"#q={enc(q)}"), want)
        checked += 1
        if not want:
            fail(f"{name}: search {q!r} finds nothing in measures.csv either: pick another word")
    pg.shot_drill("search")
    # kind and year filters through the deep link.
    for kind in sorted({m["section_kind"] for m in rows}):
        same(f"{name} #kind={kind}", pg.goto(f"#kind={kind}"), [m["measure_id"] for m in rows if m["section_kind"] == kind])
        checked += 1
    pg.shot_drill("kind")
    years = sorted({m["year"] for m in rows if m["year"]})
    for y in years[:5]:
        same(f"{name} #year={y}", pg.goto(f"#year={y}"), [m["measure_id"] for m in rows if m["year"] == y])
        checked += 1
    # Clicks, as a person would: a heatmap cell, a recurrence bar, a sections segment, a theme row.
    p.goto(pg.url)
    p.reload()
    gi, ti = next((i, j) for i, r in enumerate(group_theme) for j, t in enumerate(theme_ids)
                  if int(r.get(t, "0") or 0) > 0)
    for sel, what in [(f"svg rect[data-drill='cell:{gi}:{ti}']", "heatmap cell"),
                      ("svg rect[data-drill^='theme:']", "recurrence bar"),
                      ("svg rect[data-drill^='kind:']", "sections segment"),
                      ("tr[data-drill^='theme:']", "theme row"),
                      ("tr[data-drill^='group:']", "group row")]:
        el = p.query_selector(sel)
        if el is None:
            fail(f"{name}: no {what} to click ({sel})")
            continue
        key = el.get_attribute("data-drill")
        el.scroll_into_view_if_needed()
        el.click(force=True)
        got = pg.listed()
        h = urllib.parse.unquote(p.evaluate("location.hash"))
        if not got:
            fail(f"{name}: clicking a {what} ({key}) lists nothing")
        if not h:
            fail(f"{name}: clicking a {what} sets no deep link")
        else:
            again = pg.goto(p.evaluate("location.hash"))
            same(f"{name}: {what} {key} and its link {h}", again, got)
        checked += 1
        p.evaluate("window.scrollTo(0, 0)")
        if what == "heatmap cell":
            pg.shot("clicked-cell")
    # Filters narrow: a theme filter on top of a group.
    g0 = next(iter(sorted(k for k in by_group if k)))
    pg.goto(f"#group={enc(g0)}")
    p.select_option("#f-theme", "0")
    same(f"{name}: filters group {g0} + theme {theme_ids[0]}", pg.listed(), by_cell.get((g0, theme_ids[0]), []))
    pg.shot("filters")
    p.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    pg.shot("bottom")
    if shots and name == "sample":
        p.goto(pg.url)
        p.screenshot(path=os.path.join(shots, f"{name}-full.png"), full_page=True)
    if pg.errors:
        fail(f"{name}: console or page errors: {pg.errors[:5]}")
    # Wide charts scroll inside the page instead of being cut.
    cut = p.evaluate("""[...document.querySelectorAll('figure')].filter(f => {
        const s = f.querySelector('svg'); return s && getComputedStyle(f).overflowX === 'visible'
          && s.getBoundingClientRect().width > f.clientWidth + 1; }).length""")
    if cut:
        fail(f"{name}: {cut} charts are wider than the page and cut")
    print(f"{name}: {checked} views checked on {len(rows)} measures")
    p.close()


def check_hostile(browser, out, shots):
    pg = Page(browser, out, "hostile", shots)
    p = pg.page
    # List every measure (a search for a character every payload has), then look for injection.
    for fragment in ["#q=" + enc("<"), "#q=" + enc("window.__pwned"), "#theme=T01", ""]:
        pg.goto(fragment)
        p.click("svg rect[data-drill]", force=True)
        pg.listed()
        report = p.evaluate("""() => ({
            scripts: document.scripts.length,
            imgs: document.querySelectorAll('img').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).map(e => e.tagName),
            pwned: window.__pwned === undefined ? null : window.__pwned,
            listed: document.querySelectorAll('#drill [data-measure-id]').length,
            marks: document.querySelectorAll('#drill mark').length,
        })""")
        if report["scripts"] != 2 or report["imgs"] or report["handlers"] or report["pwned"] is not None:
            fail(f"hostile {fragment}: injected markup ran or exists: {report}")
        if fragment.startswith("#q") and not report["listed"]:
            fail(f"hostile {fragment}: the search for payload text lists nothing")
    text = p.evaluate("document.getElementById('drill').textContent")
    if "window.__pwned" not in text:
        fail("hostile: the payloads are not shown as text")
    pg.shot_drill("drill")
    if pg.errors:
        fail(f"hostile: console or page errors: {pg.errors[:5]}")
    print("hostile: no injected element, handler or script")
    p.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "policy-themes"))
    ap.add_argument("--work", default="/tmp/page-check")
    ap.add_argument("--shots", default=None)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "provincial-2025"))
    a = ap.parse_args()
    if not CHROMIUM:
        sys.exit("chromium is not on PATH")
    from playwright.sync_api import sync_playwright
    os.makedirs(a.work, exist_ok=True)
    shots = a.shots or os.path.join(a.work, "shots")
    os.makedirs(shots, exist_ok=True)
    outs = []
    sample = os.path.join(a.work, "sample")
    run(a.bin, [], sample)
    outs.append((sample, "sample", ["调解", "普法 宣传", "执法", "矛盾纠纷"]))
    hostile_in, extra = hostile_corpus(a.work)
    hostile = os.path.join(a.work, "hostile")
    run(a.bin, [hostile_in, *extra], hostile)
    if os.path.isdir(a.corpus):
        prov = os.path.join(a.work, "provincial")
        run(a.bin, [a.corpus, "--k", "30"], prov)
        outs.append((prov, "provincial", ["营商环境", "法治", "数字 政府", "生态"]))
    else:
        print(f"{a.corpus} missing: the provincial run is skipped")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for out, name, searches in outs:
            check_output(browser, out, name, shots, searches)
        check_hostile(browser, hostile, shots)
        browser.close()
    print(f"screenshots in {shots}")
    if failures:
        sys.exit(f"{len(failures)} failures")
    print("ok")


if __name__ == "__main__":
    main()
