# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile load on a lab listener, and legitimate requests beside it (lab only, bounded).

    hostile.py held   --target IP:PORT --count N [--sources A,B] [--hold S] [--workers N]
    hostile.py slow   --target IP:PORT --name NAME [--tls] --count N [--interval S] [--hold S]
    hostile.py burst  --target IP:PORT --name NAME [--tls] [--duration S] [--concurrency N]
    hostile.py legit  --listener IP --names N1,N2 [--source A] [--rate R] [--duration S]
    hostile.py longpoll --listener IP --name NAME --wait S [--source A]
    hostile.py run    --attack 'held --target ...' --legit 'legit --listener ...' [--settle S]

held: TCP connections that send the first three bytes of a TLS record and nothing more (a
handshake that never completes), kept until the peer closes them or --hold ends; reports how many
were accepted and when the peer closed them (--workers processes share the count: one process may
open only as many files as its limit allows). slow: completes the TLS handshake (with --tls), then
sends a request head one byte every --interval seconds. burst: new connections (with --tls a full
handshake) as fast as --concurrency allows, each closed at once. legit: one HTTPS request per
new connection, names in turn, --rate per second; reports success, latency percentiles. run:
starts an attack in a child process, waits until it holds what it can (or --settle seconds),
then runs the legitimate requests beside it, stops the attack (SIGUSR1: what it still holds counts
as open at the end), and prints both reports as one JSON document.

Every mode is bounded in count and time, binds to lab addresses only and prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import resource
import shlex
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

LAB_NETWORKS = [ipaddress.ip_network(n) for n in ("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24")]
MAX_COUNT = 50_000
MAX_SECONDS = 1_200
CA = "/opt/lab-host/ca.crt"
TLS_RECORD_START = b"\x16\x03\x01"


def _lab_address(text: str) -> str:
    address = ipaddress.ip_address(text)
    if not any(address in network for network in LAB_NETWORKS):
        raise SystemExit("hostile.py: %s is not a lab address (%s)" % (text, ", ".join(map(str, LAB_NETWORKS))))
    return text


def _target(text: str) -> tuple:
    host, dummy, port = text.rpartition(":")
    return _lab_address(host), int(port)


def _bounded(value: float, most: float, name: str) -> float:
    if not 0 < value <= most:
        raise SystemExit("hostile.py: %s must be in (0, %s], got %s" % (name, most, value))
    return value


def _raise_nofile(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(wanted, soft), hard), hard))


def _percentiles(values: list) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(fraction):
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 4)

    return {"n": len(ordered), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": round(ordered[-1], 4),
            "mean": round(statistics.fmean(ordered), 4)}


def _context(verify: bool = True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=CA) if verify else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _error_kind(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError):
        return "reset"
    if isinstance(error, ssl.SSLError):
        return "tls"
    if isinstance(error, OSError):
        return "os-%s" % (error.errno,)
    return type(error).__name__


def _stop_on_signal(tasks: list) -> list:
    """SIGUSR1 (hostile.py run, once the legitimate requests are done) cancels what still runs; the
    list returned becomes [True] then (a loop checks it too: Python 3.11's wait_for can swallow a
    cancellation that races with its result)."""
    stopped = [False]

    def stop():
        stopped[0] = True
        for task in tasks:
            task.cancel()

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, stop)
    return stopped


# -- held handshakes ---------------------------------------------------------------------------
async def _held_one(target, source, args, deadline, result, slots, settled):
    """One connection: connected within --connect-timeout (at most --in-flight connecting at once),
    three bytes of a TLS record sent, then kept until the peer closes it or the deadline."""
    loop = asyncio.get_running_loop()
    async with slots:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(target[0], target[1], local_addr=(source, 0) if source else None),
                args.connect_timeout)
        except (OSError, asyncio.TimeoutError) as error:
            result["errors"][_error_kind(error)] = result["errors"].get(_error_kind(error), 0) + 1
            settled()
            return
        except asyncio.CancelledError:
            result["errors"]["stopped"] = result["errors"].get("stopped", 0) + 1
            settled()
            return
    connected = loop.time()
    result["connected"] += 1
    # how many were open at once (a per-source count limits that, not how many connected in all)
    result["open"] += 1
    result["peak_open"] = max(result["peak_open"], result["open"])
    settled()
    try:
        writer.write(TLS_RECORD_START)
        await writer.drain()
        remaining = deadline - loop.time()
        if remaining <= 0:
            result["open_at_end"] += 1
            return
        await asyncio.wait_for(reader.read(65536), remaining)
        result["closed_after"].append(loop.time() - connected)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        result["open_at_end"] += 1
    except OSError:
        result["closed_after"].append(loop.time() - connected)
    finally:
        result["open"] -= 1
        writer.transport.abort()


async def held(args) -> dict:
    count = int(_bounded(args.count, MAX_COUNT, "--count"))
    hold = _bounded(args.hold, MAX_SECONDS, "--hold")
    target = _target(args.target)
    sources = [_lab_address(s) for s in args.sources.split(",")] if args.sources else [None]
    _raise_nofile(count + 1024)
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = {"mode": "held", "attempted": count, "connected": 0, "errors": {}, "closed_after": [], "open_at_end": 0,
              "open": 0, "peak_open": 0}
    done = [0]

    def settled():
        done[0] += 1
        if done[0] == count:
            result["ready_after"] = round(loop.time() - start, 2)
            if args.announce:
                print("READY", flush=True)

    slots = asyncio.Semaphore(args.in_flight)
    tasks = [asyncio.ensure_future(_held_one(target, sources[index % len(sources)], args, start + hold, result, slots,
                                             settled)) for index in range(count)]
    _stop_on_signal(tasks)
    await asyncio.gather(*tasks, return_exceptions=True)
    result["seconds"] = round(loop.time() - start, 2)
    if args.raw:
        result["closed_after"] = [round(value, 3) for value in result["closed_after"]]
        return result
    result["closed_after"] = _percentiles(result["closed_after"]) | {"closed": len(result["closed_after"])}
    return result


def held_workers(args) -> dict:
    """held in --workers processes, each with its share of --count; one report."""
    count = int(_bounded(args.count, MAX_COUNT, "--count"))
    workers = int(_bounded(args.workers, 16, "--workers"))
    shares = [count // workers + (1 if index < count % workers else 0) for index in range(workers)]
    argv = [sys.executable, __file__, "held", "--target", args.target, "--sources", args.sources, "--hold", str(args.hold),
            "--connect-timeout", str(args.connect_timeout), "--in-flight", str(max(1, args.in_flight // workers)),
            "--announce", "--raw"]
    children = [subprocess.Popen(argv + ["--count", str(share)], stdout=subprocess.PIPE, text=True) for share in shares]
    signal.signal(signal.SIGUSR1, lambda *dummy: [child.send_signal(signal.SIGUSR1) for child in children])
    for child in children:  # each says READY once its connections settled
        child.stdout.readline()
    if args.announce:
        print("READY", flush=True)
    reports = []
    for child in children:
        output = child.communicate(timeout=MAX_SECONDS + 120)[0]
        lines = [line for line in output.splitlines() if line.startswith("{")]
        if child.returncode != 0 or not lines:
            raise SystemExit("hostile.py: a held worker failed (rc %s): %r" % (child.returncode, output[-2000:]))
        reports.append(json.loads(lines[-1]))
    result = {"mode": "held", "attempted": count, "workers": workers, "errors": {},
              "connected": sum(r["connected"] for r in reports), "open_at_end": sum(r["open_at_end"] for r in reports),
              # the workers' peaks need not coincide: their sum is an upper bound
              "peak_open": sum(r["peak_open"] for r in reports),
              "ready_after": max(r.get("ready_after", 0) for r in reports), "seconds": max(r["seconds"] for r in reports)}
    for report in reports:
        for kind, number in report["errors"].items():
            result["errors"][kind] = result["errors"].get(kind, 0) + number
    closed = [value for report in reports for value in report["closed_after"]]
    result["closed_after"] = _percentiles(closed) | {"closed": len(closed)}
    return result


# -- slow request heads ------------------------------------------------------------------------
async def _slow_one(args, target, source, deadline, result, settled):
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            target[0], target[1], local_addr=(source, 0) if source else None,
            ssl=_context() if args.tls else None, server_hostname=args.name if args.tls else None),
            args.connect_timeout)
    except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
        result["errors"][_error_kind(error)] = result["errors"].get(_error_kind(error), 0) + 1
        settled()
        return
    except asyncio.CancelledError:
        result["errors"]["stopped"] = result["errors"].get("stopped", 0) + 1
        settled()
        return
    connected = loop.time()
    result["connected"] += 1
    settled()
    head = ("GET /lab/slow HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\n\r\n" % (args.name, "x" * 200)).encode()
    answer = b""
    try:
        for index in range(len(head)):
            writer.write(head[index:index + 1])
            await writer.drain()
            remaining = min(args.interval, deadline - loop.time())
            if remaining <= 0:
                result["open_at_end"] += 1
                return
            try:
                answer = await asyncio.wait_for(reader.read(4096), remaining)
            except asyncio.TimeoutError:
                continue
            result["closed_after"].append(loop.time() - connected)
            status = answer.split(b" ", 2)[1].decode(errors="replace") if answer.startswith(b"HTTP/") else "closed"
            result["answers"][status] = result["answers"].get(status, 0) + 1
            return
        result["completed"] += 1
    except asyncio.CancelledError:
        result["open_at_end"] += 1
    except (OSError, ssl.SSLError):
        result["closed_after"].append(loop.time() - connected)
        result["answers"]["reset"] = result["answers"].get("reset", 0) + 1
    finally:
        writer.transport.abort()


async def slow(args) -> dict:
    count = int(_bounded(args.count, MAX_COUNT, "--count"))
    hold = _bounded(args.hold, MAX_SECONDS, "--hold")
    target = _target(args.target)
    sources = [_lab_address(s) for s in args.sources.split(",")] if args.sources else [None]
    _raise_nofile(count + 1024)
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + hold
    result = {"mode": "slow", "attempted": count, "connected": 0, "errors": {}, "closed_after": [], "answers": {},
              "open_at_end": 0, "completed": 0}
    done = [0]

    def settled():
        """Every handshake done (or failed): the attack holds what it can."""
        done[0] += 1
        if done[0] == count:
            result["ready_after"] = round(loop.time() - start, 2)
            if args.announce:
                print("READY", flush=True)

    # the handshakes are paced (--in-flight at once); each connection then trickles on its own
    tasks = []
    _stop_on_signal(tasks)
    for index in range(count):
        tasks.append(asyncio.ensure_future(_slow_one(args, target, sources[index % len(sources)], deadline, result,
                                                     settled)))
        if index % args.in_flight == args.in_flight - 1:
            await asyncio.sleep(0.2)
    await asyncio.gather(*tasks, return_exceptions=True)
    result["closed_after"] = _percentiles(result["closed_after"]) | {"closed": len(result["closed_after"])}
    result["seconds"] = round(loop.time() - start, 2)
    return result


# -- bursts of new connections -----------------------------------------------------------------
async def burst(args) -> dict:
    duration = _bounded(args.duration, MAX_SECONDS, "--duration")
    target = _target(args.target)
    sources = [_lab_address(s) for s in args.sources.split(",")] if args.sources else [None]
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + duration
    result = {"mode": "burst", "attempted": 0, "ok": 0, "errors": {}}
    context = _context() if args.tls else None

    async def worker(index):
        while loop.time() < deadline and result["attempted"] < MAX_COUNT * 4 and not stopped[0]:
            result["attempted"] += 1
            source = sources[(index + result["attempted"]) % len(sources)]
            try:
                dummy, writer = await asyncio.wait_for(asyncio.open_connection(
                    target[0], target[1], local_addr=(source, 0) if source else None, ssl=context,
                    server_hostname=args.name if args.tls else None), args.connect_timeout)
                result["ok"] += 1
                writer.transport.abort()
            except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
                result["errors"][_error_kind(error)] = result["errors"].get(_error_kind(error), 0) + 1
                await asyncio.sleep(0.01)

    if args.announce:
        loop.call_later(min(2.0, duration / 4), lambda: print("READY", flush=True))
    tasks = []
    stopped = _stop_on_signal(tasks)
    tasks.extend(asyncio.ensure_future(worker(i)) for i in range(args.concurrency))
    await asyncio.gather(*tasks, return_exceptions=True)
    result["seconds"] = round(loop.time() - start, 2)
    result["per_second"] = round(result["attempted"] / result["seconds"], 1)
    # the attacker's own CPU (the lab's hosts share the machine's cores with it)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    return result


# -- legitimate requests -----------------------------------------------------------------------
async def _request(listener: str, name: str, path: str, source, context, timeout: float) -> tuple:
    """One HTTPS GET on a new connection: (status or error kind, seconds)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    writer = None
    try:
        async def exchange():
            nonlocal writer
            reader, writer = await asyncio.open_connection(listener, 443, local_addr=(source, 0) if source else None,
                                                           ssl=context, server_hostname=name)
            writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, name)).encode())
            await writer.drain()
            data = await reader.read()
            return data

        data = await asyncio.wait_for(exchange(), timeout)
        status = data.split(b" ", 2)[1].decode(errors="replace") if data.startswith(b"HTTP/") else "empty"
        return status, loop.time() - start
    except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
        return _error_kind(error), loop.time() - start
    finally:
        if writer is not None:
            writer.transport.abort()


async def legit(args) -> dict:
    duration = _bounded(args.duration, MAX_SECONDS, "--duration")
    rate = _bounded(args.rate, 200, "--rate")
    listener = _lab_address(args.listener)
    source = _lab_address(args.source) if args.source else None
    names = [n for n in args.names.split(",") if n]
    context = _context()
    loop = asyncio.get_running_loop()
    start = loop.time()
    outcomes, latencies, tasks = {}, [], []
    by_name = {name: [] for name in names}  # each name's latencies: which backend a slow request waited for

    timeline = []  # (seconds after the start the request began, its outcome): for a failover's figures

    async def one(name):
        began = loop.time() - start
        status, seconds = await _request(listener, name, "/lab/legit", source, context, args.timeout)
        outcomes[status] = outcomes.get(status, 0) + 1
        if args.timeline:
            timeline.append((round(began, 3), status))
        if status == "200":
            latencies.append(seconds)
            by_name[name].append(seconds)

    # SIGUSR1 ends the requests early (what was sent is reported): a caller that waits for an event
    # of unknown length (a proxy's converge) bounds the run with --duration and ends it when done.
    ended = [False]
    loop.add_signal_handler(signal.SIGUSR1, lambda: ended.__setitem__(0, True))
    index = 0
    while loop.time() - start < duration and not ended[0]:
        tasks.append(asyncio.ensure_future(one(names[index % len(names)])))
        index += 1
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
    await asyncio.gather(*tasks)
    total = len(tasks)
    ok = outcomes.get("200", 0)
    return {"mode": "legit", "requests": total, "ok": ok, "success": round(ok / total, 4) if total else 0.0,
            "outcomes": outcomes, "latency": _percentiles(latencies), "names": names,
            "by_name": {name: _percentiles(values) for name, values in by_name.items()},
            "seconds": round(loop.time() - start, 2)} | ({"timeline": sorted(timeline)} if args.timeline else {})


async def longpoll(args) -> dict:
    wait = _bounded(args.wait, MAX_SECONDS - 60, "--wait")
    listener = _lab_address(args.listener)
    source = _lab_address(args.source) if args.source else None
    status, seconds = await _request(listener, args.name, "/wait/%g" % wait, source, _context(), wait + 60)
    return {"mode": "longpoll", "wait": wait, "status": status, "seconds": round(seconds, 2), "name": args.name}


# -- an attack and legitimate requests beside it ------------------------------------------------
def run(args) -> dict:
    attack_argv = shlex.split(args.attack)
    if attack_argv[0] not in ("held", "slow", "burst"):
        raise SystemExit("hostile.py run: --attack must start with held, slow or burst")
    legit_argv = shlex.split(args.legit)
    if legit_argv[0] != "legit":
        raise SystemExit("hostile.py run: --legit must start with legit")
    start = time.monotonic()
    # (its standard error kept aside, read when it gives no report; a pipe could fill while stdout is read)
    errors = tempfile.TemporaryFile("w+")
    child = subprocess.Popen([sys.executable, __file__] + attack_argv + ["--announce"], stdout=subprocess.PIPE,
                             stderr=errors, text=True)
    # wait for the attack to hold what it can (bounded by --settle)
    deadline = start + args.settle
    line = ""
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line or line.strip() == "READY":
            break
    ready = round(time.monotonic() - start, 2)
    legit_result = asyncio.run(legit(_parser().parse_args(legit_argv)))
    if child.poll() is None and not args.no_stop:
        child.send_signal(signal.SIGUSR1)
    output, dummy = child.communicate(timeout=MAX_SECONDS + 120)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if lines:
        attack_result = json.loads(lines[-1])
    else:
        errors.seek(0)
        attack_result = {"error": "the attack gave no report (rc %s): %r; its errors: %r" % (
            child.returncode, output[-2000:], errors.read()[-2000:])}
    errors.close()
    return {"attack": attack_result, "legit": legit_result, "legit_started_after": ready}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for name in ("held", "slow", "burst"):
        mode = sub.add_parser(name)
        mode.add_argument("--target", required=True)
        mode.add_argument("--sources", default="")
        mode.add_argument("--connect-timeout", type=float, default=3.0)
        mode.add_argument("--announce", action="store_true", help="print READY when the attack holds what it can")
        if name != "held":
            mode.add_argument("--name", required=True)
            mode.add_argument("--tls", action="store_true")
    held_mode, slow_mode, burst_mode = (sub.choices[n] for n in ("held", "slow", "burst"))
    held_mode.add_argument("--count", type=int, required=True)
    held_mode.add_argument("--hold", type=float, default=60)
    held_mode.add_argument("--in-flight", type=int, default=2000)
    held_mode.add_argument("--workers", type=int, default=1)
    held_mode.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    slow_mode.add_argument("--count", type=int, required=True)
    slow_mode.add_argument("--hold", type=float, default=60)
    slow_mode.add_argument("--interval", type=float, default=10)
    slow_mode.add_argument("--in-flight", type=int, default=200)
    burst_mode.add_argument("--duration", type=float, default=20)
    burst_mode.add_argument("--concurrency", type=int, default=64)
    for name in ("legit", "longpoll"):
        mode = sub.add_parser(name)
        mode.add_argument("--listener", required=True)
        mode.add_argument("--source", default="")
    sub.choices["legit"].add_argument("--names", required=True)
    sub.choices["legit"].add_argument("--rate", type=float, default=10)
    sub.choices["legit"].add_argument("--duration", type=float, default=30)
    sub.choices["legit"].add_argument("--timeout", type=float, default=5)
    sub.choices["legit"].add_argument("--timeline", action="store_true", help="each request's start and outcome")
    sub.choices["longpoll"].add_argument("--name", required=True)
    sub.choices["longpoll"].add_argument("--wait", type=float, required=True)
    combined = sub.add_parser("run")
    combined.add_argument("--attack", required=True)
    combined.add_argument("--legit", required=True)
    combined.add_argument("--settle", type=float, default=60)
    combined.add_argument("--no-stop", action="store_true", help="let the attack run its --hold or --duration out")
    return parser


def main() -> int:
    args = _parser().parse_args()
    if args.mode == "run":
        result = run(args)
    elif args.mode == "held" and args.workers > 1:
        result = held_workers(args)
    else:
        result = asyncio.run({"held": held, "slow": slow, "burst": burst, "legit": legit,
                              "longpoll": longpoll}[args.mode](args))
    print(json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
