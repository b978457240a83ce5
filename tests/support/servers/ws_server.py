#!/usr/bin/python3
"""A WebSocket server Stampede did not write, for the WebSocket tests (Python's websockets,
Debian's python3-websockets).

  /echo              echoes every message with its type
  /feed?count=N&hz=H sends N messages {"seq": i} at H per second, then waits for the close
  /silent            accepts and never sends (a receive times out)
  /big?bytes=N       answers each message with one text message of N bytes
  /drop?after=N      after N messages received, drops the connection without a close frame
  /close?code=C      closes with code C at the first message received
  /refuse?status=S   refuses the upgrade with HTTP status S
  GET /stats         {"sessions", "received", "sent", "clean_closes", "offered", "extensions"}
                     (offered: each session's Sec-WebSocket-Protocol request header;
                     extensions: each session's negotiated Sec-WebSocket-Extensions)

Offered subprotocols chat and scope.v1 are accepted. With --cert and --key it serves TLS
(wss://). Prints "listening on PORT" once serving (port 0 picks a free one).
"""
import argparse
import asyncio
import http
import json
import ssl
from urllib.parse import parse_qs, urlparse

import websockets

counts = {"sessions": 0, "received": 0, "sent": 0, "clean_closes": 0, "offered": [],
          "extensions": []}


def query(path: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(path).query).items()}


async def process_request(path, headers):
    route = urlparse(path).path
    if route == "/stats":
        body = json.dumps(counts).encode()
        return http.HTTPStatus.OK, [("Content-Type", "application/json")], body
    if route == "/refuse":
        status = int(query(path).get("status", "403"))
        return http.HTTPStatus(status), [("Content-Type", "text/plain")], b"refused\n"
    return None


async def send(ws, message) -> None:
    await ws.send(message)
    counts["sent"] += 1


async def echo(ws, _) -> None:
    async for message in ws:
        counts["received"] += 1
        await send(ws, message)


async def feed(ws, q) -> None:
    count, period = int(q.get("count", "10")), 1 / float(q.get("hz", "50"))
    start = asyncio.get_running_loop().time()
    for i in range(1, count + 1):
        # Absolute deadlines: no drift from the sends' own time.
        await asyncio.sleep(max(0.0, start + (i - 1) * period - asyncio.get_running_loop().time()))
        await send(ws, json.dumps({"seq": i}))
    async for _ in ws:
        counts["received"] += 1


async def silent(ws, _) -> None:
    async for _ in ws:
        counts["received"] += 1


async def big(ws, q) -> None:
    payload = "x" * int(q.get("bytes", "1000"))
    async for _ in ws:
        counts["received"] += 1
        await send(ws, payload)


async def drop(ws, q) -> None:
    after = int(q.get("after", "1"))
    async for _ in ws:
        counts["received"] += 1
        after -= 1
        if after == 0:
            ws.transport.abort()
            return


async def close(ws, q) -> None:
    async for _ in ws:
        counts["received"] += 1
        await ws.close(code=int(q.get("code", "4001")), reason="told to")
        return


ROUTES = {"/echo": echo, "/feed": feed, "/silent": silent, "/big": big, "/drop": drop,
          "/close": close}


async def handler(ws, path=None) -> None:
    path = path or ws.path
    route = ROUTES.get(urlparse(path).path)
    if route is None:
        await ws.close(code=4004, reason="no such route")
        return
    counts["sessions"] += 1
    counts["offered"].append(ws.request_headers.get("Sec-WebSocket-Protocol"))
    counts["extensions"].append(ws.response_headers.get("Sec-WebSocket-Extensions"))
    try:
        await route(ws, query(path))
    except websockets.ConnectionClosed:
        return
    if ws.close_code == 1000:
        counts["clean_closes"] += 1


async def main(port: int, cert: str, key: str) -> None:
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    async with websockets.serve(handler, "127.0.0.1", port, process_request=process_request,
                                subprotocols=["chat", "scope.v1"], max_size=None,
                                ping_interval=None, ssl=context) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on {bound}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", default="")
    parser.add_argument("--key", default="")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.cert, args.key))
