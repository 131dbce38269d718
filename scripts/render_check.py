#!/usr/bin/env python3
"""Render the charts and the page in headless Chromium, as a person would see them, and fail if a
chart is blank, if any text falls outside its canvas, or if Chinese would render as boxes.

usage: scripts/render_check.py [OUT_DIR] [--png DIR]

OUT_DIR defaults to a fresh `policy-themes run` on the bundled sample. Each SVG is inlined into a
small page whose script measures every <text> (its screen box, after any rotation, against the SVG's), counts
the drawn shapes, and asks the browser whether a font covering the Chinese text is present
(document.fonts.check on the charts' font list); `chromium --dump-dom` returns the verdict.
With --png, screenshots of every chart and of index.html are written there. Standard library only.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars"]
FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC"

PROBE = """
<script>
window.addEventListener('load', async () => {
  await document.fonts.ready;
  const svg = document.querySelector('svg');
  const W = parseFloat(svg.getAttribute('width')), H = parseFloat(svg.getAttribute('height'));
  const outside = [];
  // Screen boxes (after each text's own transform, e.g. rotated axis titles) against the canvas.
  const c = svg.getBoundingClientRect();
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const b = t.getBoundingClientRect();
    if (b.left < c.left - 1 || b.top < c.top - 1 || b.right > c.right + 1 || b.bottom > c.bottom + 1)
      outside.push(t.textContent.trim().slice(0, 30) + ' @' + [b.left - c.left, b.top - c.top, b.width, b.height].map(Math.round).join(','));
  }
  const han = [...svg.querySelectorAll('text')].map(t => t.textContent).join('').match(/[\\u4e00-\\u9fff]/g) || [];
  const cjk = FONTS.split(',').some(f => document.fonts.check('16px "' + f.trim() + '"', '政策主题'));
  const shapes = svg.querySelectorAll('rect, circle, path, polyline, line, polygon').length;
  document.getElementById('result').textContent = JSON.stringify({W, H, outside, han: han.length, cjk, shapes,
    texts: svg.querySelectorAll('text').length});
});
</script>
"""


def chromium(*args):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


def check_svg(path, png_dir):
    svg = open(path, encoding="utf-8").read()
    svg = re.sub(r"^<\?xml[^>]*\?>", "", svg.strip())
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>{svg}" \
           f"<pre id='result'></pre>{PROBE.replace('FONTS', json.dumps(FONT))}</body></html>"
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(page)
    try:
        dom = chromium("--virtual-time-budget=5000", "--dump-dom", "file://" + f.name).stdout
    finally:
        os.unlink(f.name)
    m = re.search(r"<pre id=\"result\">(.*?)</pre>", dom, re.S)
    if not m or not m.group(1):
        return [f"{os.path.basename(path)}: the probe did not run"]
    r = json.loads(html.unescape(m.group(1)))
    name = os.path.basename(path)
    problems = []
    if r["shapes"] < 5 or r["texts"] < 3:
        problems.append(f"{name}: looks blank ({r['shapes']} shapes, {r['texts']} texts)")
    if r["outside"]:
        problems.append(f"{name}: {len(r['outside'])} text(s) outside the {r['W']}x{r['H']} canvas, e.g. {r['outside'][:3]}")
    if r["han"] and not r["cjk"]:
        problems.append(f"{name}: {r['han']} Chinese characters but no CJK font of [{FONT}] is installed: they render as boxes")
    if png_dir:
        width, height = int(r["W"]) + 20, int(r["H"]) + 20
        chromium(f"--window-size={width},{height}", f"--screenshot={os.path.join(png_dir, name[:-4] + '.png')}", "file://" + os.path.abspath(path))
    print(f"{name}: {r['W']:.0f}x{r['H']:.0f}, {r['shapes']} shapes, {r['texts']} texts, {r['han']} Han chars, "
          f"CJK font {'yes' if r['cjk'] else 'NO'}, {len(r['outside'])} outside", file=sys.stderr)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--png")
    a = ap.parse_args()
    if not CHROMIUM:
        print("render_check: no chromium on this machine; skipped", file=sys.stderr)
        return 0
    tmp = None
    out = a.out
    if not out:
        tmp = tempfile.mkdtemp()
        out = os.path.join(tmp, "sample")
        subprocess.run([os.path.join(ROOT, "target", "release", "policy-themes"), "run", "--out", out, "--quiet"],
                       check=True, cwd=ROOT)
    if a.png:
        os.makedirs(a.png, exist_ok=True)
    problems = []
    for name in sorted(os.listdir(out)):
        if name.endswith(".svg"):
            problems += check_svg(os.path.join(out, name), a.png)
    if a.png:
        chromium("--window-size=1280,2400", f"--screenshot={os.path.join(a.png, 'index.png')}",
                 "file://" + os.path.abspath(os.path.join(out, "index.html")))
    if tmp:
        shutil.rmtree(tmp)
    for p in problems:
        print(p)
    print("render check: ok" if not problems else f"render check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
