#!/usr/bin/python3
"""Opens a local HTML file (or a URL) in headless Chromium through the DevTools protocol and
reports what happened, as one JSON document on stdout (or --out FILE):

  console     messages the page logged (level and text), and the browser's log entries
              (failed loads, Content-Security-Policy violations)
  exceptions  uncaught exceptions
  requests    every URL the page requested (the file itself first)
  load_ms     navigation start to the end of the load event, from the page's own timing
  value       what --eval's expression returned (JSON), evaluated after the load event
  screenshot  the PNG written for --screenshot (the whole page), and --pdf likewise

The HTML report tests use it (tests/integration/html_report_test.cc); it needs Debian's chromium
and python3-websockets, and runs with /usr/bin/python3 so the system's websockets is found.

  browser.py PAGE.html|URL [--eval EXPR] [--screenshot FILE.png] [--pdf FILE.pdf] [--width 1280]
             [--timeout 60] [--out FILE.json]

With --session FIFO the page stays open and is driven one command at a time, for a page that
changes while a test acts on it (the live web UI: tests/integration/live_ui_test.cc). Each
command is one JSON line read from FIFO, {"id": N, "op": ..., ...}, and its answer one stdout line
"reply N {"ok": true, "value": ...}" (or {"ok": false, "error": "..."}); "reply 0" says the page
has loaded. The ops:

  eval        {"expression": E}: E's JSON value (a promise is awaited)
  wait        {"expression": E, "timeout": S}: E's value once it is truthy, polled every 100 ms;
              an error after S seconds, with the last value (an exception counts as not yet)
  click       {"selector": CSS}: a real mouse click at the element's centre
  type        {"selector": CSS, "text": T}: empties the field, focuses it and types T
  screenshot  {"path": FILE}: a PNG of the whole page
  report      console, exceptions and requests so far, as in the one-shot report
  quit        closes the browser (so does the end of FIFO)
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


# Events that carry a page's data and that nothing here reads: a live page receives one every
# second, and a long session would keep them all.
BULKY_EVENTS = {"Network.dataReceived", "Network.eventSourceMessageReceived"}


class Session:
    """One DevTools connection: numbered calls, and the events that arrive meanwhile. A task of
    its own reads every message as it comes, so a page left open for a while (a live page logs
    and streams all along) never backs the connection up."""

    def __init__(self, socket):
        self.socket = socket
        self.ids = itertools.count(1)
        self.events = []
        self.session_id = None
        self.pending = {}
        self.arrived = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        try:
            async for text in self.socket:
                message = json.loads(text)
                future = self.pending.pop(message.get("id"), None)
                if future is not None:
                    if not future.done():
                        future.set_result(message)
                elif "method" in message and message["method"] not in BULKY_EVENTS:
                    self.events.append(message)
                    self.arrived.set()
        except websockets.ConnectionClosed:
            pass  # the browser went away: the calls still waiting fail below
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("the DevTools connection closed"))
            self.pending.clear()

    async def call(self, method, **params):
        call_id = next(self.ids)
        message = {"id": call_id, "method": method, "params": params}
        if self.session_id:
            message["sessionId"] = self.session_id
        future = asyncio.get_running_loop().create_future()
        self.pending[call_id] = future
        await self.socket.send(json.dumps(message))
        reply = await future
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def wait_for(self, method, timeout):
        """Waits for an event (one that already arrived counts)."""
        async def next_event():
            while True:
                for event in self.events:
                    if event["method"] == method:
                        return event
                self.arrived.clear()
                await self.arrived.wait()
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


def page_url(page):
    if re.match(r"^(https?|file):", page):
        return page
    return pathlib.Path(page).resolve().as_uri()


async def navigate(session, url, timeout):
    """A new tab on `url`, once its load event has fired."""
    target = await session.call("Target.createTarget", url="about:blank")
    attached = await session.call("Target.attachToTarget", targetId=target["targetId"],
                                  flatten=True)
    session.session_id = attached["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        await session.call(f"{domain}.enable")
    session.events.clear()  # about:blank's own events are not the page's
    await session.call("Page.navigate", url=url)
    await session.wait_for("Page.loadEventFired", timeout)


async def open_page(browser, args):
    url = page_url(args.page)
    # No keepalive pings: an idle DevTools connection is normal, and a ping unanswered while
    # Chromium takes a screenshot must not close it.
    async with websockets.connect(browser.endpoint, max_size=None, ping_interval=None) as socket:
        session = Session(socket)
        await navigate(session, url, args.timeout)
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


# ---- --session: one command at a time ---------------------------------------------------------

async def wait_until(session, expression, timeout):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while True:
        try:
            last = await evaluate(session, expression)
            if last:
                return last
        except RuntimeError as error:
            last = str(error)
        if loop.time() >= deadline:
            raise RuntimeError(f"not true within {timeout} s: {expression}; last value: {last!r}")
        await asyncio.sleep(0.1)


# The centre of the element, in the viewport's CSS pixels, after scrolling it into view.
ELEMENT_CENTRE = """((selector) => {
  const node = document.querySelector(selector);
  if (!node) throw new Error('no element ' + selector);
  node.scrollIntoView({block: 'center', inline: 'center'});
  const box = node.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) throw new Error(selector + ' is not visible');
  return {x: box.left + box.width / 2, y: box.top + box.height / 2};
})"""

# Empties a field and focuses it, so that typed text replaces what it held.
FOCUS_FIELD = """((selector) => {
  const node = document.querySelector(selector);
  if (!node) throw new Error('no element ' + selector);
  node.focus();
  node.value = '';
  node.dispatchEvent(new Event('input', {bubbles: true}));
  return document.activeElement === node;
})"""


async def click(session, selector):
    centre = await evaluate(session, f"{ELEMENT_CENTRE}({json.dumps(selector)})")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        await session.call("Input.dispatchMouseEvent", type=kind, x=centre["x"], y=centre["y"],
                           button="left" if kind != "mouseMoved" else "none", clickCount=1)
    return centre


async def type_text(session, selector, text):
    if not await evaluate(session, f"{FOCUS_FIELD}({json.dumps(selector)})"):
        raise RuntimeError(f"{selector} does not take the focus")
    await session.call("Input.insertText", text=text)


async def run_command(session, command, args):
    op = command.get("op")
    if op == "eval":
        return await evaluate(session, command["expression"])
    if op == "wait":
        return await wait_until(session, command["expression"], command.get("timeout", 10))
    if op == "click":
        return await click(session, command["selector"])
    if op == "type":
        return await type_text(session, command["selector"], command["text"])
    if op == "screenshot":
        await screenshot(session, command["path"], args.width)
        return command["path"]
    if op == "report":
        console, exceptions, requests = summarize(session.events)
        return {"console": console, "exceptions": exceptions, "requests": requests}
    raise RuntimeError(f"unknown op {op!r}")


def read_commands(path, loop, queue):
    """A thread: the FIFO's lines onto the queue, then None at its end."""
    with open(path, encoding="utf-8") as fifo:
        for line in fifo:
            if line.strip():
                loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


def reply(call_id, answer):
    sys.stdout.write(f"reply {call_id} {json.dumps(answer)}\n")
    sys.stdout.flush()


async def serve(browser, args):
    url = page_url(args.page)
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    threading.Thread(target=read_commands, args=(args.session, loop, queue), daemon=True).start()
    async with websockets.connect(browser.endpoint, max_size=None, ping_interval=None) as socket:
        session = Session(socket)
        await navigate(session, url, args.timeout)
        reply(0, {"ok": True, "value": {"url": url, "load_ms": await evaluate(session, LOAD_MS)}})
        while True:
            line = await queue.get()
            if line is None:
                return
            command = json.loads(line)
            if command.get("op") == "quit":
                reply(command.get("id"), {"ok": True, "value": None})
                return
            try:
                answer = {"ok": True, "value": await run_command(session, command, args)}
            except Exception as error:  # the test reads it; the session goes on
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            reply(command.get("id"), answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page")
    parser.add_argument("--eval", help="a JavaScript expression; its JSON value is reported")
    parser.add_argument("--screenshot", help="write a PNG of the whole page here")
    parser.add_argument("--pdf", help="print the page to this PDF")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--out", help="write the report here instead of stdout")
    parser.add_argument("--session", help="a FIFO of commands: keep the page open (see above)")
    args = parser.parse_args()
    browser = Browser(args.width, 900)
    try:
        if args.session:
            asyncio.run(serve(browser, args))
            return
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
