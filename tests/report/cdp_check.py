#!/usr/bin/env python3
"""cdp_check.py: open report pages in headless Chromium and check what a
reader sees, through the DevTools protocol over a pipe (--remote-debugging-pipe:
no port, no network). Standard library only.

  cdp_check.py CHROME PROFILE_DIR [--screenshot PNG] PAGE:PLOTS...

For each PAGE (an HTML file) with PLOTS the number of plots it must show:
  - no console error, no uncaught exception, no error in the browser's log
    (a failed load, a blocked resource);
  - exactly PLOTS plots (svg.plot), each non-empty (at least 5 drawn elements
    and a content box of non-zero width and height) and of its expected size:
    rendered at its width x height attributes (to 1 px), which equal its
    viewBox, and at least 200 x 100 px; in a heat map (title "All-pairs ...")
    no two texts overlap;
  - a table of contents, and every link to #id in the page resolves to one
    element that is rendered (non-zero height).
Prints "PAGE: ok: ..." or "PAGE: FAIL: reason" (one line per problem) and
exits 1 when any page failed, 2 when the browser could not be driven. The
screenshot (PNG, 1280 x 2400) is of the first page.
"""
import base64
import json
import os
import select
import subprocess
import sys
import time

TIMEOUT_S = 60

MEASURE_JS = r"""
(() => {
  const plots = Array.from(document.querySelectorAll('svg.plot')).map((s, i) => {
    const cs = getComputedStyle(s); /* the content box: its border (CSS) not counted */
    const vb = (s.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
    let bw = 0, bh = 0;
    try { const b = s.getBBox(); bw = b.width; bh = b.height; } catch (e) {}
    const drawn = s.querySelectorAll('path,line,polyline,polygon,rect,circle,ellipse,text').length;
    const title = (s.querySelector('title') || {}).textContent || ('plot ' + (i + 1));
    /* heat maps: no two of their texts (labels, values, titles) overlap */
    let overlaps = 0, example = '';
    if (title.startsWith('All-pairs')) {
      const t = Array.from(s.querySelectorAll('text')).map(e => [e.getBoundingClientRect(), e.textContent]);
      for (let a = 0; a < t.length; a++)
        for (let b = a + 1; b < t.length; b++) {
          const p = t[a][0], q = t[b][0];
          if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 &&
              Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1) {
            if (!overlaps++) example = "'" + t[a][1] + "' and '" + t[b][1] + "'";
          }
        }
    }
    return {title: title.slice(0, 80), w_attr: parseFloat(s.getAttribute('width')),
            h_attr: parseFloat(s.getAttribute('height')), vb: vb, w: parseFloat(cs.width),
            h: parseFloat(cs.height),
            bw: bw, bh: bh, drawn: drawn, overlaps: overlaps, example: example};
  });
  const links = Array.from(document.querySelectorAll('a[href^="#"]')).map(a => {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    const all = id ? document.querySelectorAll('[id="' + CSS.escape(id) + '"]') : [];
    const t = all.length ? all[0].getBoundingClientRect() : null;
    return {href: a.getAttribute('href'), text: a.textContent.slice(0, 60), targets: all.length,
            height: t ? t.height : 0};
  });
  const toc = document.getElementById('contents');
  return {plots: plots, links: links, toc: !!toc,
          svgs: document.querySelectorAll('svg').length, title: document.title};
})()
"""


class Browser:
    def __init__(self, chrome, profile):
        self.to_r, self.to_w = os.pipe()      # we write commands, it reads fd 3
        self.from_r, self.from_w = os.pipe()  # it writes fd 4, we read
        args = [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-features=Translate,MediaRouter", "--hide-scrollbars",
                "--user-data-dir=" + profile, "about:blank"]

        def child_fds():
            os.dup2(self.to_r, 3)
            os.dup2(self.from_w, 4)
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.to_r)
        os.close(self.from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the browser")
            ready, _, _ = select.select([self.from_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise EOFError("the browser closed its pipe (exit %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, deadline):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def problems_of(b, session, page, plots_wanted):
    """Navigate to page in the session and return (problems, summary)."""
    b.events = [e for e in b.events if e.get("sessionId") != session]
    b.send("Page.navigate", {"url": "file://" + os.path.abspath(page)}, session)
    b.wait_event("Page.loadEventFired", session, time.monotonic() + TIMEOUT_S)
    m = b.send("Runtime.evaluate", {"expression": MEASURE_JS, "returnByValue": True}, session)
    if "exceptionDetails" in m:
        return ["measuring the page failed: %s" % m["exceptionDetails"].get("text")], ""
    v = m["result"]["value"]
    # give late console messages a moment, then collect what the page said
    b.send("Runtime.evaluate", {"expression": "1"}, session)
    probs = []
    for e in b.events:
        if e.get("sessionId") != session:
            continue
        p = e.get("params", {})
        if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            probs.append("console %s: %s" % (p["type"], text[:200]))
        elif e.get("method") == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text", "")
            probs.append("uncaught exception: %s" % text.splitlines()[0][:200] if text else "exception")
        elif e.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            en = p["entry"]
            probs.append("browser log error (%s): %s %s" % (en.get("source"), en.get("text", "")[:160],
                                                            en.get("url", "")))
    plots = v["plots"]
    if len(plots) != plots_wanted:
        probs.append("%d plots (svg.plot), expected %d" % (len(plots), plots_wanted))
    for p in plots:
        who = "plot '%s'" % p["title"]
        w, h = p["w_attr"], p["h_attr"]
        if not (w >= 200 and h >= 100):
            probs.append("%s: size %sx%s from its attributes, expected at least 200x100" % (who, w, h))
        elif len(p["vb"]) != 4 or p["vb"][2] != w or p["vb"][3] != h:
            probs.append("%s: viewBox %s does not match its size %gx%g" % (who, p["vb"], w, h))
        if abs(p["w"] - w) > 1 or abs(p["h"] - h) > 1:
            probs.append("%s: rendered %.1fx%.1f px, expected %gx%g" % (who, p["w"], p["h"], w, h))
        if p.get("overlaps"):
            probs.append("%s: %d pair(s) of overlapping texts, e.g. %s" % (who, p["overlaps"], p["example"]))
        if p["drawn"] < 5 or not (p["bw"] > 0 and p["bh"] > 0):
            probs.append("%s: empty: %d drawn element(s), content box %.1fx%.1f"
                         % (who, p["drawn"], p["bw"], p["bh"]))
    if not v["toc"]:
        probs.append("no table of contents (#contents)")
    links = v["links"]
    if v["toc"] and not links:
        probs.append("no links to sections")
    for a in links:
        if a["targets"] != 1:
            probs.append("link %s ('%s') resolves to %d elements" % (a["href"], a["text"], a["targets"]))
        elif a["height"] <= 0:
            probs.append("link %s ('%s'): its target is not rendered" % (a["href"], a["text"]))
    summary = "%d plots of their size, %d section links resolve, no console errors" % (len(plots),
                                                                                       len(links))
    return probs, summary


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    chrome, profile, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    shot = None
    if rest[0] == "--screenshot":
        shot, rest = rest[1], rest[2:]
    pages = []
    for arg in rest:
        page, _, n = arg.rpartition(":")
        pages.append((page, int(n)))
    try:
        b = Browser(chrome, profile)
    except OSError as e:
        print("cdp_check: cannot start %s: %s" % (chrome, e))
        return 2
    failed = 0
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            b.send(m, {}, session)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 2400, "deviceScaleFactor": 1, "mobile": False}, session)
        for i, (page, n) in enumerate(pages):
            probs, summary = problems_of(b, session, page, n)
            if probs:
                failed += 1
                for p in probs:
                    print("%s: FAIL: %s" % (page, p))
            else:
                print("%s: ok: %s" % (page, summary))
            if i == 0 and shot:
                png = b.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
                with open(shot, "wb") as f:
                    f.write(base64.b64decode(png))
    except (TimeoutError, EOFError, RuntimeError, OSError, KeyError, ValueError) as e:
        print("cdp_check: driving the browser failed: %s" % e)
        return 2
    finally:
        b.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
