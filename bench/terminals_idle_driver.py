#!/usr/bin/env python3
"""Opens IDLE_CONNECTIONS (1000) TCP connections to the terminal gateway at IDLE_GATEWAY
(host:port); each says Hello as its own terminal id and then stays silent. Prints
"ready <n>" once every connection got its Hello response, then holds them until stdin
closes (or IDLE_HOLD seconds), and prints how many the gateway closed meanwhile.

The frame is written by hand from the protocol's layout: a 4-byte length, the magic
P4Y-ECR!, then F0 { E1 header, E2 body, E3 footer with the zlib CRC-32 of the body }.
"""

import asyncio
import os
import struct
import sys
import zlib


def tlv(tag: bytes, value: bytes) -> bytes:
    assert len(value) < 128
    return tag + bytes([len(value)]) + value


def hello(terminal_id: str) -> bytes:
    header = (
        tlv(b"\x10", struct.pack(">I", 1))
        + tlv(b"\x11", struct.pack(">I", 0x16))
        + tlv(b"\x12", terminal_id.encode())
        + tlv(b"\x13", b"BENCH")
        + tlv(b"\x14", struct.pack(">H", 1))
    )
    body = b""
    footer = tlv(b"\x1c", struct.pack(">I", zlib.crc32(body)))
    root = tlv(b"\xf0", tlv(b"\xe1", header) + tlv(b"\xe2", body) + tlv(b"\xe3", footer))
    payload = b"P4Y-ECR!" + root
    return struct.pack(">I", len(payload)) + payload


async def one(host: str, port: int, i: int, held: list, sem: asyncio.Semaphore):
    # A Hello the server could not take (a busy machine) is tried again, like a
    # terminal reconnecting.
    for attempt in range(5):
        try:
            async with sem:
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(hello(f"IDLE{i:06d}"))
                await writer.drain()
                length = struct.unpack(">I", await reader.readexactly(4))[0]
                await reader.readexactly(length)
            held.append((reader, writer))
            return
        except (ConnectionError, asyncio.IncompleteReadError):
            await asyncio.sleep(0.5 * (attempt + 1))


async def main():
    host, port = os.environ.get("IDLE_GATEWAY", "127.0.0.1:9000").rsplit(":", 1)
    n = int(os.environ.get("IDLE_CONNECTIONS", "1000"))
    hold = float(os.environ.get("IDLE_HOLD", "3600"))
    held = []
    # Connect 20 at a time: the listen backlog stays small.
    sem = asyncio.Semaphore(20)
    await asyncio.gather(*(one(host, int(port), i, held, sem) for i in range(n)))
    print(f"ready {len(held)}", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    try:
        await asyncio.wait_for(stdin_closed, timeout=hold)
    except asyncio.TimeoutError:
        pass
    closed = 0
    for r, _ in held:
        try:
            if await asyncio.wait_for(r.read(1), timeout=0.001) == b"":
                closed += 1
        except asyncio.TimeoutError:
            pass
        except ConnectionError:
            closed += 1
    print(f"closed by the gateway meanwhile: {closed}", flush=True)
    for _, w in held:
        w.close()


if __name__ == "__main__":
    asyncio.run(main())
