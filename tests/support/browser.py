#!/usr/bin/python3
"""Opens a local HTML file in headless Chromium through the DevTools protocol and reports what
happened, as one JSON document on stdout (or --out FILE):

  console     messages the page logged (level and text), and the browser's log entries
              (failed loads, Content-Security-Policy violations)
  exceptions  uncaught exceptions
  requests    every URL the page requested (the file itself first)
  load_ms     navigation start to the end of the load event, from the page's own timing
  value       what --eval's expression returned (JSON), evaluated after the load event
  screenshot  the PNG written for --screenshot (the whole page), and --pdf likewise

The HTML report tests use it (tests/integration/html_report_test.cc); it needs Debian's chromium
and python3-websockets, and runs with /usr/bin/python3 so the system's websockets is found.

  browser.py PAGE.html [--eval EXPR] [--screenshot FILE.png] [--pdf FILE.pdf] [--width 1280]
             [--timeout 60] [--out FILE.json]
"""

import argparse
import asyncio
import base64
import itertools
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import websockets

# Flags for a quiet, reproducible browser: no first-run UI, no background traffic of its own
# (the test asserts the page makes no request), no sandbox because tests may run as root.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("browser.py: chromium is not installed (scripts/install-deps test)")


class Browser:
    """A headless Chromium process and its DevTools endpoint."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="stampede-chromium-")
        argv = [find_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank"]
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.endpoint = self._read_endpoint()
        # Keep reading what chromium logs, so a chatty browser never blocks on a full pipe.
        self.log = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stderr:
            self.log.append(line)

    def _read_endpoint(self):
        # Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        for line in self.process.stderr:
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
        raise RuntimeError("chromium exited before opening its DevTools port")

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Session:
    """One DevTools connection: numbered calls, and the events that arrive between them."""

    def __init__(self, socket):
        self.socket = socket
        self.ids = itertools.count(1)
        self.events = []
        self.session_id = None

    async def call(self, method, **params):
        call_id = next(self.ids)
        message = {"id": call_id, "method": method, "params": params}
        if self.session_id:
            message["sessionId"] = self.session_id
        await self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(await self.socket.recv())
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    async def wait_for(self, method, timeout):
        """Waits for an event (one that already arrived counts)."""
        async def next_event():
            while True:
                for event in self.events:
                    if event["method"] == method:
                        return event
                self.events.append(json.loads(await self.socket.recv()))
        return await asyncio.wait_for(next_event(), timeout)


def describe_console(event):
    params = event["params"]
    text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
    return {"level": params["type"], "text": text}


def summarize(events):
    """The console messages, exceptions and requests among the events."""
    console, exceptions, requests = [], [], []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            console.append(describe_console(event))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            console.append({"level": entry["level"], "text": entry.get("text", ""),
                             "source": entry.get("source", ""), "url": entry.get("url", "")})
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            exception = details.get("exception", {})
            exceptions.append(exception.get("description", details.get("text", "")))
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    return console, exceptions, requests


LOAD_MS = """(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return nav ? nav.loadEventEnd - nav.startTime : null;
})()"""


async def evaluate(session, expression):
    reply = await session.call("Runtime.evaluate", expression=expression, returnByValue=True,
                               awaitPromise=True)
    if "exceptionDetails" in reply:
        details = reply["exceptionDetails"]
        raise RuntimeError("evaluation failed: " +
                           details.get("exception", {}).get("description", details.get("text", "")))
    return reply["result"].get("value")


async def screenshot(session, path, width):
    # The whole page, not only the window: size the viewport to the content first.
    metrics = await session.call("Page.getLayoutMetrics")
    height = int(metrics["cssContentSize"]["height"]) + 1
    await session.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                       deviceScaleFactor=1, mobile=False)
    shot = await session.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    pathlib.Path(path).write_bytes(base64.b64decode(shot["data"]))
    await session.call("Emulation.clearDeviceMetricsOverride")


async def print_pdf(session, path):
    pdf = await session.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
    pathlib.Path(path).write_bytes(base64.b64decode(pdf["data"]))


async def open_page(browser, args):
    url = pathlib.Path(args.page).resolve().as_uri()
    async with websockets.connect(browser.endpoint, max_size=None) as socket:
        session = Session(socket)
        target = await session.call("Target.createTarget", url="about:blank")
        attached = await session.call("Target.attachToTarget", targetId=target["targetId"],
                                      flatten=True)
        session.session_id = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await session.call(f"{domain}.enable")
        session.events.clear()  # about:blank's own events are not the page's
        await session.call("Page.navigate", url=url)
        await session.wait_for("Page.loadEventFired", args.timeout)
        report = {"url": url, "load_ms": await evaluate(session, LOAD_MS)}
        if args.eval:
            report["value"] = await evaluate(session, args.eval)
        if args.screenshot:
            await screenshot(session, args.screenshot, args.width)
            report["screenshot"] = args.screenshot
        if args.pdf:
            await print_pdf(session, args.pdf)
            report["pdf"] = args.pdf
        # Late console messages (a chart drawn after the load event) still count.
        await evaluate(session, "new Promise((done) => setTimeout(done, 100))")
        report["console"], report["exceptions"], report["requests"] = summarize(session.events)
        return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page")
    parser.add_argument("--eval", help="a JavaScript expression; its JSON value is reported")
    parser.add_argument("--screenshot", help="write a PNG of the whole page here")
    parser.add_argument("--pdf", help="print the page to this PDF")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--out", help="write the report here instead of stdout")
    args = parser.parse_args()
    browser = Browser(args.width, 900)
    try:
        report = asyncio.run(asyncio.wait_for(open_page(browser, args), args.timeout * 2))
    finally:
        browser.close()
    text = json.dumps(report)
    if args.out:
        pathlib.Path(args.out).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
