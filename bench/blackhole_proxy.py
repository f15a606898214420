"""A TCP proxy on loopback that can be told to stop answering: for chaos runs (bench/chaos.py)
against a service such as Redis that is reached over TCP.

    proxy = BlackholeProxy(6379)          # listens on 127.0.0.1:proxy.port
    proxy.blackhole(True)                 # accept and read, never answer
    proxy.blackhole(False)                # forward again
    proxy.stop()

It runs in a child process (asyncio, away from the caller's threads and GIL). While
blackholed, every byte in either direction is swallowed: connections are accepted, requests
are read, nothing comes back, so clients wait for their socket timeouts, as with a server that
drops packets. Counters: connections, bytes forwarded, bytes swallowed.
"""

import asyncio
import multiprocessing
import os
import signal
import time
from pathlib import Path

from bench.load_test import free_port


def run_proxy(port: int, target: int, counters, ready) -> None:
    """Forward 127.0.0.1:port to 127.0.0.1:target; SIGUSR1 blackholes, SIGUSR2 forwards."""
    swallow = False

    def switch(on: bool) -> None:
        nonlocal swallow
        swallow = on

    async def pump(reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                counters[2 if swallow else 1] += len(data)
                if not swallow:
                    writer.write(data)
                    await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def connected(reader, writer) -> None:
        counters[0] += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            return writer.close()
        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, switch, True)
        loop.add_signal_handler(signal.SIGUSR2, switch, False)
        server = await asyncio.start_server(connected, "127.0.0.1", port)
        ready.set()
        await server.serve_forever()

    asyncio.run(serve())


class BlackholeProxy:
    def __init__(self, target: int):
        context = multiprocessing.get_context("spawn")
        self.port, ready = free_port(), context.Event()
        self.counters = context.RawArray("q", 3)
        self.process = context.Process(
            target=run_proxy, args=(self.port, target, self.counters, ready), daemon=True
        )
        self.process.start()
        if not ready.wait(10):
            self.stop()
            raise SystemExit(f"the proxy to port {target} did not start")

    def blackhole(self, on: bool) -> float:
        """Switch; returns when (time.time())."""
        os.kill(self.process.pid, signal.SIGUSR1 if on else signal.SIGUSR2)
        return time.time()

    def figures(self) -> dict:
        names = ("connections", "bytes_forwarded", "bytes_swallowed")
        figures = dict(zip(names, self.counters, strict=True))
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        ticks = stat.rsplit(")", 1)[1].split()[11:13]  # utime, stime
        return figures | {"cpu_s": round(sum(map(int, ticks)) / os.sysconf("SC_CLK_TCK"), 1)}

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)
