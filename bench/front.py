#!/usr/bin/env python3
"""A tiny round-robin TCP front for bench/nodes.sh: each accepted connection is piped to
the next node in turn; a node that refuses the connection (killed, restarting) is
skipped for the next one. Standard library only.

  python3 bench/front.py LISTEN_PORT NODE_PORT...
"""

import asyncio
import itertools
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    port = int(sys.argv[1])
    nodes = [int(p) for p in sys.argv[2:]]
    turn = itertools.cycle(range(len(nodes)))

    async def handle(client_reader, client_writer):
        start = next(turn)
        for i in range(len(nodes)):
            node = nodes[(start + i) % len(nodes)]
            try:
                node_reader, node_writer = await asyncio.open_connection("127.0.0.1", node)
            except OSError:
                continue
            await asyncio.gather(pipe(client_reader, node_writer), pipe(node_reader, client_writer))
            return
        client_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
