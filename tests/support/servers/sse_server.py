#!/usr/bin/python3
"""A Server-Sent Events server Stampede did not write, for the stream tests (aiohttp, Debian's
python3-aiohttp).

  GET /sse?events=N&first_ms=T&gap_ms=G&done=1
      N events (`id`, an `event: tick` type and two data lines), the first T ms after the
      headers and each next one G ms later, a comment line before every fifth, then
      `data: [DONE]` when done=1. Chunked, as aiohttp streams.
  GET /stats   {"streams": started, "completed": completed, "events": written}

Prints "listening on PORT" once serving (port 0 picks a free one).
"""
import argparse
import asyncio
import json

from aiohttp import web

counts = {"streams": 0, "completed": 0, "events": 0}


async def sse(request: web.Request) -> web.StreamResponse:
    events = int(request.query.get("events", "10"))
    first = int(request.query.get("first_ms", "0")) / 1000
    gap = int(request.query.get("gap_ms", "0")) / 1000
    done = request.query.get("done", "1") == "1"
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache"})
    await response.prepare(request)
    counts["streams"] += 1
    for i in range(events):
        await asyncio.sleep(first if i == 0 else gap)
        comment = ": heartbeat\n" if i % 5 == 0 else ""
        payload = json.dumps({"i": i, "text": f"word{i}"})
        await response.write(
            f"{comment}event: tick\nid: {i}\ndata: {payload}\ndata: line two\n\n".encode())
        counts["events"] += 1
    if done:
        await response.write(b"data: [DONE]\n\n")
    counts["completed"] += 1
    await response.write_eof()
    return response


async def stats(_: web.Request) -> web.Response:
    return web.json_response(counts)


async def main(port: int) -> None:
    app = web.Application()
    app.router.add_get("/sse", sse)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # the port chosen for port 0
    print(f"listening on {bound}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(main(parser.parse_args().port))
