#!/usr/bin/python3
"""A WebSocket client Stampede did not write, for the target's /ws tests (Debian's
python3-websockets). Runs one scenario against BASE (ws://HOST:PORT) and prints one JSON object
with what it saw; the test compares it with the target's /__stats.

  handshake   connect to --path with the offered --subprotocols and --deflate, then close:
              {"status": 101, "subprotocol", "extensions", "close_code"}, or the refusal's
              {"status": N}
  echo        --text N and --binary M messages to /ws/echo, all sent before the echoes are
              read, then --pings K pings, then the close handshake
  until-closed  messages to --path one at a time, each echo awaited, until the server ends the
              session: the echoes, their round trips and how the connection ended
  scope       /ws/scope: configure, subscribe at 50 Hz for --seconds, set 100 Hz for half as
              long, unsubscribe, close
  scope-errors  /ws/scope: invalid messages, clamped settings, unsubscribe without a subscription

Every scenario is bounded by --timeout seconds; exceeding it exits 3.
"""
import argparse
import asyncio
import json
import sys
import time

import websockets
import websockets.exceptions

MAX_SIZE = 16 << 20


def connect(base, path, deflate=True, subprotocols=None):
    # No keep-alive pings from the library: the pings a scenario sends are the ones counted.
    return websockets.connect(base + path, compression="deflate" if deflate else None,
                              subprotocols=subprotocols, ping_interval=None, max_size=MAX_SIZE,
                              open_timeout=3, close_timeout=3)


async def handshake(args):
    subprotocols = args.subprotocols.split(",") if args.subprotocols else None
    try:
        ws = await connect(args.base, args.path, args.deflate, subprotocols)
    except websockets.exceptions.InvalidStatusCode as e:
        return {"status": e.status_code}
    result = {"status": 101, "subprotocol": ws.subprotocol,
              "extensions": ws.response_headers.get("Sec-WebSocket-Extensions", "")}
    await ws.close()
    result["close_code"] = ws.close_code
    return result


def message(i, binary):
    # Compressible and distinct: deflate shrinks them, and a mix-up shows.
    text = f"message {i} " + "abc" * (i % 50)
    return text.encode() if binary else text


async def echo(args):
    async with connect(args.base, "/ws/echo", args.deflate) as ws:
        sent = [message(i, binary=i >= args.text) for i in range(args.text + args.binary)]
        for m in sent:
            await ws.send(m)
        received = [await ws.recv() for _ in sent]
        pongs = 0
        for _ in range(args.pings):
            await (await ws.ping())
            pongs += 1
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
    return {"sent": len(sent), "received": len(received), "equal": received == sent,
            "text": sum(isinstance(m, str) for m in received),
            "binary": sum(isinstance(m, bytes) for m in received),
            "pongs": pongs, "extensions": extensions, "close_code": ws.close_code}


async def until_closed(args):
    rtts = []
    async with connect(args.base, args.path, args.deflate) as ws:
        try:
            for i in range(args.messages):
                start = time.monotonic()
                await ws.send(message(i, binary=False))
                if await ws.recv() != message(i, binary=False):
                    return {"error": f"echo {i} differs"}
                rtts.append((time.monotonic() - start) * 1000)
            await ws.recv()  # the server ends the session here
            return {"error": "a message after the echoes"}
        except websockets.exceptions.ConnectionClosed as e:
            return {"echoed": len(rtts), "rtts_ms": rtts, "close_code": e.code,
                    "close_frame_received": e.rcvd is not None}


async def scope_frames(ws, seconds, frames):
    """Collects frames for `seconds`; returns how many came."""
    deadline = time.monotonic() + seconds
    count = 0
    while (left := deadline - time.monotonic()) > 0:
        try:
            m = json.loads(await asyncio.wait_for(ws.recv(), left))
        except asyncio.TimeoutError:
            break
        if m["op"] != "frame":
            raise RuntimeError(f"unexpected {m}")
        frames.append(m)
        count += 1
    return count


async def scope_reply(ws, frames):
    """The reply to the message just sent; the frames that come before it go to `frames`."""
    while True:
        m = json.loads(await ws.recv())
        if m["op"] != "frame":
            return m
        frames.append(m)


async def scope(args):
    frames = []
    async with connect(args.base, "/ws/scope", args.deflate) as ws:
        await ws.send(json.dumps({"op": "configure", "rate": 50, "samples": 16, "channel": "A"}))
        configured = json.loads(await ws.recv())
        await ws.send(json.dumps({"op": "subscribe"}))
        subscribed = json.loads(await ws.recv())
        at_50 = await scope_frames(ws, args.seconds, frames)
        await ws.send(json.dumps({"op": "set", "rate": 100}))
        updated = await scope_reply(ws, frames)
        at_100 = await scope_frames(ws, args.seconds / 2, frames)
        await ws.send(json.dumps({"op": "unsubscribe"}))
        unsubscribed = await scope_reply(ws, frames)
    seqs = [f["seq"] for f in frames]
    return {"configured": configured, "subscribed": subscribed, "updated": updated,
            "unsubscribed": unsubscribed, "frames_at_50": at_50, "frames_at_100": at_100,
            "frames": len(frames), "seq_in_order": seqs == list(range(1, len(seqs) + 1)),
            "channels": sorted({f["channel"] for f in frames}),
            "samples_per_frame": sorted({len(f["samples"]) for f in frames}),
            "close_code": ws.close_code}


async def scope_errors(args):
    replies = []
    async with connect(args.base, "/ws/scope", args.deflate) as ws:
        for m in ["not json", "[1, 2]", {"rate": 5}, {"op": "dance"},
                  {"op": "configure", "rate": "fast"}, {"op": "unsubscribe"},
                  {"op": "configure", "rate": 5000, "samples": 0, "channel": "B"},
                  {"op": "set", "rate": -3}]:
            await ws.send(m if isinstance(m, str) else json.dumps(m))
            replies.append(json.loads(await ws.recv()))
        await ws.send(b"\x00binary")
        replies.append(json.loads(await ws.recv()))
    return {"replies": replies, "close_code": ws.close_code}


SCENARIOS = {"handshake": handshake, "echo": echo, "until-closed": until_closed, "scope": scope,
             "scope-errors": scope_errors}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="ws://HOST:PORT")
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--path", default="/ws/echo")
    parser.add_argument("--subprotocols", default="")
    parser.add_argument("--deflate", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--text", type=int, default=10)
    parser.add_argument("--binary", type=int, default=10)
    parser.add_argument("--pings", type=int, default=0)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=4.0)
    args = parser.parse_args()
    try:
        result = asyncio.run(asyncio.wait_for(SCENARIOS[args.scenario](args), args.timeout))
    except asyncio.TimeoutError:
        print(json.dumps({"error": f"timed out after {args.timeout} s"}))
        sys.exit(3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
