#!/usr/bin/env python3
"""Checks HTML reports in a real browser: headless Chromium driven over the DevTools protocol.

For each report given on the command line it
  * loads the file and records every network request the page makes (only the file itself may
    be loaded: no CDN, font, script or image fetched), console errors and uncaught exceptions;
  * at 1280 px and at 800 px wide checks that no element sticks out of the page width (content
    inside a horizontally scrolling box is fine) and takes a full-page PNG screenshot, which must
    not be blank;
  * prints the page to PDF;
  * reloads with JavaScript disabled and checks the tables and charts are still there;
  * with JavaScript, sorts the league table by clicking a column heading.

Screenshots and PDFs go to --out (default target/report-artifacts). When Chromium is missing the
script installs Debian's `chromium` with apt-get where it can (root); otherwise it prints that the
browser test was SKIPPED and exits 0.

Needs: Python >= 3.9, `websockets` (>= 11, sync client) and `pillow`.
Usage: check_report.py [--self-test] [--out DIR] report.html [report.html ...]
"""

import argparse
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

WIDTHS = (1280, 800)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

OVERFLOW_JS = r"""
(() => {
  const W = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a).overflowX;
      if (s === "auto" || s === "scroll" || s === "hidden") return true;
    }
    return false;
  };
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > W + 1 || r.left < -1) && !scrolls(el)) {
      const cls = typeof el.className === "string" && el.className ? "." + el.className : "";
      bad.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls +
               " [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
    }
  }
  return {width: W, scrollWidth: document.documentElement.scrollWidth, bad: bad.slice(0, 15),
          count: bad.length};
})()
"""

CONTENT_JS = r"""
(() => ({
  charts: document.querySelectorAll("svg.chart").length,
  titled: document.querySelectorAll("svg.chart > title").length,
  tables: document.querySelectorAll("table").length,
  sections: Array.from(document.querySelectorAll("main > section")).map(s => s.id),
  text: document.body.innerText.length,
  sortButtons: document.querySelectorAll("button.sort").length,
}))()
"""

SORT_JS = r"""
(() => {
  const t = document.getElementById("league");
  if (!t) return null;
  const b = t.tHead.rows[0].cells[3].querySelector("button");
  if (!b) return {error: "no sort button"};
  const col = (i) => Array.from(t.tBodies[0].rows).map(r => parseFloat(r.cells[i].textContent));
  b.click();  // ascending
  const up = col(3);
  b.click();  // descending
  const down = col(3);
  const sorted = (v, s) => v.every((x, i) => i === 0 || isNaN(x) || isNaN(v[i - 1]) || s * (x - v[i - 1]) >= 0);
  return {ascending: sorted(up, 1), descending: sorted(down, -1), rows: up.length};
})()
"""


def skip(reason):
    print(f"SKIPPED: the browser test was skipped: {reason}")
    sys.exit(0)


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium not found: installing Debian's chromium with apt-get ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        r = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False)
        if r.returncode == 0 and shutil.which("chromium"):
            return shutil.which("chromium")
        skip("apt-get could not install chromium")
    skip("no Chromium on this machine and no root apt-get to install it")


class Page:
    """A minimal DevTools client for one page target (synchronous)."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def call(self, method, timeout=60, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.time())))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def wait_for(self, event, timeout=60):
        for i, e in enumerate(self.events):
            if e["method"] == event:
                del self.events[: i + 1]
                return e
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.time())))
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == event:
                    return msg
        raise TimeoutError(event)

    def drain(self, seconds=0.3):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                msg = json.loads(self.ws.recv(timeout=max(0.05, deadline - time.time())))
            except TimeoutError:
                break
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.drain()


def start_browser(binary, profile):
    args = [
        binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-default-apps", "--disable-extensions",
        "--disable-sync", "--metrics-recording-only", "--mute-audio",
        "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = Path(profile) / "DevToolsActivePort"
    for _ in range(200):
        if port_file.exists() and port_file.read_text().strip():
            break
        if proc.poll() is not None:
            raise RuntimeError(f"{binary} exited with {proc.returncode}")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
    page = next(t for t in targets if t.get("type") == "page")
    return proc, page["webSocketDebuggerUrl"]


def not_blank(png):
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    small = img.resize((max(1, img.width // 8), max(1, img.height // 8)))
    raw = small.tobytes()
    pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
    ink = sum(1 for p in pixels if p[0] + p[1] + p[2] < 600) / len(pixels)
    colours = len(set(pixels))
    return ink, colours, img.size


def check(page, report, out):
    problems = []
    stem = report.stem
    url = report.resolve().as_uri()
    page.events.clear()
    page.call("Emulation.setScriptExecutionDisabled", value=False)
    page.call("Emulation.setDeviceMetricsOverride", width=WIDTHS[0], height=900,
              deviceScaleFactor=1, mobile=False)
    page.navigate(url)
    content = page.evaluate(CONTENT_JS)
    print(f"  content: {content['charts']} charts ({content['titled']} with <title>), "
          f"{content['tables']} tables, sections {content['sections']}")
    if content["charts"] == 0 or content["titled"] != content["charts"]:
        problems.append("charts missing or without a <title>")
    sort = page.evaluate(SORT_JS)
    if sort is not None:
        print(f"  sorting the league table ({sort.get('rows')} rows): {sort}")
        if not (sort.get("ascending") and sort.get("descending")):
            problems.append(f"sorting the league table failed: {sort}")
        page.navigate(url)  # back to the page as written

    for width in WIDTHS:
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                  deviceScaleFactor=1, mobile=False)
        page.drain(0.3)
        o = page.evaluate(OVERFLOW_JS)
        if o["count"] or o["scrollWidth"] > o["width"]:
            problems.append(f"{width} px: page {o['scrollWidth']} px wide, {o['count']} "
                            f"elements overflow: {o['bad']}")
        else:
            print(f"  {width} px: nothing overflows (scroll width {o['scrollWidth']})")
        metrics = page.call("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"])
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        png = base64.b64decode(shot["data"])
        path = out / f"{stem}-{width}.png"
        path.write_bytes(png)
        ink, colours, size = not_blank(png)
        print(f"  {width} px screenshot {path} {size[0]}x{size[1]}: {100 * ink:.1f}% ink, "
              f"{colours} colours")
        if ink < 0.01 or colours < 8:
            problems.append(f"{width} px screenshot looks blank ({ink:.3f} ink, {colours} colours)")

    page.call("Emulation.clearDeviceMetricsOverride")
    pdf = page.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True, timeout=120)
    data = base64.b64decode(pdf["data"])
    path = out / f"{stem}.pdf"
    path.write_bytes(data)
    print(f"  PDF {path}: {len(data) // 1024} KB")
    if not data.startswith(b"%PDF") or len(data) < 5000:
        problems.append("PDF output is not a PDF or is empty")

    # JavaScript off: the page must still show its tables and charts
    page.call("Emulation.setScriptExecutionDisabled", value=True)
    page.navigate(url)
    static = page.call("DOM.getDocument", depth=-1)
    page.call("Emulation.setScriptExecutionDisabled", value=False)

    def count(node, name):
        n = 1 if node.get("nodeName", "").lower() == name else 0
        return n + sum(count(c, name) for c in node.get("children", []))

    svgs, tables = count(static["root"], "svg"), count(static["root"], "table")
    print(f"  JavaScript off: {svgs} SVG charts, {tables} tables in the document")
    if svgs < content["charts"] or tables < content["tables"]:
        problems.append("with JavaScript off, charts or tables are missing")

    # every request the page made: only the report file itself
    requests = [e["params"]["request"]["url"] for e in page.events
                if e["method"] == "Network.requestWillBeSent"]
    foreign = [u for u in requests if u != url]
    errors = [e for e in page.events if e["method"] == "Runtime.exceptionThrown"
              or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
              or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    print(f"  requests: {len(requests)} (all the file itself: {not foreign}); "
          f"console errors: {len(errors)}")
    if foreign:
        problems.append(f"network requests besides the file: {foreign[:10]}")
    if errors:
        problems.append(f"console errors: {[json.dumps(e['params'])[:300] for e in errors[:5]]}")
    return problems


BAD_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head>
<body><h1>A page that breaks every rule</h1><svg class="chart"><title>t</title></svg><table></table>
<img src="http://127.0.0.1:9/pixel.png" alt="">
<div style="width: 2400px; background: #036;">too wide</div>
<script>console.error("deliberate console error");</script></body></html>"""

BLANK_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank</title></head>
<body><svg class="chart"><title>t</title></svg><table></table></body></html>"""


def self_test(page, out):
    """The checks can fail: a page with a network request, a console error and an element wider
    than the page, and a blank page, must each be flagged."""
    with tempfile.TemporaryDirectory() as d:
        bad, blank = Path(d) / "bad.html", Path(d) / "blank.html"
        bad.write_text(BAD_PAGE)
        blank.write_text(BLANK_PAGE)
        found = " | ".join(check(page, bad, Path(d)))
        missing = [what for what, key in [("network request", "network requests"),
                                          ("console error", "console errors"),
                                          ("overflow at 1280 px", "1280 px: page"),
                                          ("overflow at 800 px", "800 px: page")]
                   if key not in found]
        found_blank = " | ".join(check(page, blank, Path(d)))
        if "looks blank" not in found_blank:
            missing.append("blank screenshot")
    if missing:
        print(f"FAIL: the self-test did not flag: {missing}")
        return False
    print("self-test: a network request, a console error, overflow at 1280 and 800 px and a "
          "blank page are all flagged")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="target/report-artifacts")
    ap.add_argument("--self-test", action="store_true",
                    help="first check that the checks fail on pages that break the rules")
    ap.add_argument("reports", nargs="+")
    a = ap.parse_args()
    try:
        import websockets.sync.client  # noqa: F401
        import PIL  # noqa: F401
    except ImportError as e:
        skip(f"Python package missing ({e.name}); `make test-browser` installs websockets and pillow")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    binary = find_browser()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"browser: {version}")
    failures = 0
    with tempfile.TemporaryDirectory() as profile:
        from websockets.sync.client import connect

        proc, url = start_browser(binary, profile)
        try:
            with connect(url, max_size=None, open_timeout=20) as ws:
                page = Page(ws)
                for domain in ("Page", "Network", "Runtime", "Log", "DOM"):
                    page.call(f"{domain}.enable")
                if a.self_test:
                    print("self-test on pages that break the rules:")
                    failures += not self_test(page, out)
                for report in map(Path, a.reports):
                    print(f"{report}:")
                    problems = check(page, report, out)
                    for p in problems:
                        print(f"  FAIL: {p}")
                    failures += bool(problems)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    passed = len(a.reports) + a.self_test - failures
    print(f"{passed} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
