"""Memory of a running `incident-bot serve` fed unsigned 50 MB bodies.

Starts `python -m bot serve` (SQLite in a temporary directory, the demo's local Slack
stand-in), reads its resident memory from /proc/<pid>/status (Linux), sends four unsigned
50 MB POSTs to /slack/events at once with a Content-Length, then four with chunked transfer
encoding, and prints VmRSS before and after and the peak (VmHWM).

    .venv/bin/python bench/request_guard.py [--root CHECKOUT] [--bodies 4] [--megabytes 50]

`--root` runs the server from another checkout (e.g. an older commit unpacked with
`git archive`), to compare.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import ROOT, table

from bot.demo.slack_standin import DemoSlack

PIECE = b"a" * (1024 * 1024)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    return fields


def start(root: Path, stand_in: DemoSlack, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(root),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": stand_in.api_url,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
    }
    command = [sys.executable, "-m", "bot", "serve", "--no-scheduler"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "serve.log", "wb"),  # noqa: SIM115 - open as long as the server
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"serve did not start; see {workdir / 'serve.log'}") from None
            time.sleep(0.2)


def send_unsigned(port: int, megabytes: int, chunked: bool) -> str:
    """One unsigned POST of `megabytes` MiB; the status line, or how the server hung up."""
    head = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head.append("Content-Type: application/x-www-form-urlencoded")
    if chunked:
        head.append("Transfer-Encoding: chunked")
        piece = f"{len(PIECE):x}\r\n".encode() + PIECE + b"\r\n"
        end = b"0\r\n\r\n"
    else:
        head.append(f"Content-Length: {megabytes * len(PIECE)}")
        piece, end = PIECE, b""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            for _ in range(megabytes):
                sock.sendall(piece)
            sock.sendall(end)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it stopped reading: the answer (if any) is waiting
        try:
            answer = sock.recv(4096)
        except ConnectionResetError:
            return "reset before an answer"
    return answer.split(b"\r\n", 1)[0].decode() or "closed without an answer"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to run serve from")
    parser.add_argument("--bodies", type=int, default=4)
    parser.add_argument("--megabytes", type=int, default=50)
    args = parser.parse_args()
    stand_in = DemoSlack(show=lambda _line: None)
    workdir = Path(tempfile.mkdtemp(prefix="incident-bot-bench-"))
    port = free_port()
    process = start(args.root.resolve(), stand_in, workdir, port)
    rows = []
    try:
        time.sleep(1)
        before = memory(process.pid)
        rows.append(["started", "", before["VmRSS"], before["VmHWM"]])
        for chunked in (False, True):
            kind = "chunked" if chunked else "Content-Length"
            with ThreadPoolExecutor(max_workers=args.bodies) as pool:
                sent = [
                    pool.submit(send_unsigned, port, args.megabytes, chunked)
                    for _ in range(args.bodies)
                ]
                answers = {future.result() for future in sent}
            time.sleep(1)
            now = memory(process.pid)
            label = f"after {args.bodies} × {args.megabytes} MB, {kind}"
            rows.append([label, ", ".join(sorted(answers)), now["VmRSS"], now["VmHWM"]])
    finally:
        process.terminate()
        process.wait(timeout=30)
        stand_in.close()
    print(f"serve from {args.root.resolve()}")
    print(table(["step", "answers", "VmRSS MiB", "peak (VmHWM) MiB"], rows))


if __name__ == "__main__":
    main()
