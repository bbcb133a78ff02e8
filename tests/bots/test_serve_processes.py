"""``weiquan serve`` as a real process: worker logs, shared metrics, polling, shutdown."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import httpx

from tests.adapters.telegram import updates
from tests.fakes.telegram_api import FakeTelegram, running_fake
from tests.support.process import Served, serve
from tests.support.server import free_port
from tests.test_deployment import compose

SECRET = "process-webhook-secret-0123456789"
APPLIED = re.compile(
    r'^weiquan_messages_total\{outcome="applied",platform="telegram"\} (\S+)$', re.M
)


def _telegram(fake: FakeTelegram, *, webhook: bool) -> dict[str, str]:
    env = {
        "WEIQUAN_TELEGRAM_TOKEN": fake.token,
        "WEIQUAN_TELEGRAM_API_BASE_URL": fake.base_url,
        "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    if webhook:
        env["WEIQUAN_TELEGRAM_WEBHOOK_URL"] = "https://bot.example.org/webhooks/telegram"
    return env


def _worker_pids(served: Served, count: int, seconds: float = 30.0) -> set[int]:
    """The pids of worker processes that logged their start-up (as JSON)."""
    deadline = time.monotonic() + seconds
    while True:
        started = {
            r["pid"] for r in served.records() if r["msg"] == "Application startup complete."
        }
        if len(started) >= count or time.monotonic() > deadline:
            return started
        time.sleep(0.1)


def _fresh(url: str) -> httpx.Response:
    # A new connection for each request, so the kernel spreads them over the workers.
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as http:
        return http.get(url, timeout=10)


def test_every_worker_logs_json_and_metrics_count_across_workers(tmp_path: Path) -> None:
    port = free_port()
    stale = tmp_path / "var" / "metrics" / f"{socket.gethostname()}-{port}" / "counter_1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left over by an earlier run")
    with running_fake() as fake, serve(
        tmp_path, "--workers", "2", port=port, **_telegram(fake, webhook=True)
    ) as served:
        workers = _worker_pids(served, 2)
        assert len(workers) == 2 and served.process.pid not in workers
        for n in range(10):
            with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as http:
                answer = http.post(
                    f"{served.base_url}/webhooks/telegram",
                    json=updates.text(7000 + n, "hi"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    timeout=30,
                )
            assert answer.status_code == 200, answer.text
        counts = []
        for _ in range(8):
            found = APPLIED.search(_fresh(f"{served.base_url}/metrics").text)
            counts.append(float(found.group(1)) if found else 0.0)
        assert counts == [10.0] * 8
        assert not stale.exists()
        records = served.records()  # every line, from every process, is JSON
    assert {r["pid"] for r in records} >= workers | {served.process.pid}
    assert not any(fake.token in line for line in served.lines())


def _compose_web_arguments() -> list[str]:
    """The compose `web` service's serve options (without --host 0.0.0.0)."""
    command = compose()["services"]["web"]["command"]
    assert command[:2] == ["weiquan", "serve"]
    options = command[2:]
    if "--host" in options:
        at = options.index("--host")
        del options[at : at + 2]
    return list(options)


def test_the_compose_web_service_starts_with_polling_and_never_polls(tmp_path: Path) -> None:
    # A token and no webhook URL: polling is left to `weiquan worker`.
    options = _compose_web_arguments()
    assert "--workers" in options and "--no-worker" in options
    with running_fake() as fake, serve(
        tmp_path, *options, **_telegram(fake, webhook=False)
    ) as served:
        assert len(_worker_pids(served, 2)) == 2
        time.sleep(2)
        assert httpx.get(f"{served.base_url}/healthz", timeout=5).status_code == 200
        assert not fake.calls_to("getUpdates")


def _trickle(address: tuple[str, int], stop: threading.Event) -> None:
    """A sign-in whose body arrives one byte every 0.2 s (a slow upload)."""
    with socket.create_connection(address) as sock:
        sock.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: weiquan\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        for _ in range(1000):
            if stop.is_set():
                return
            try:
                sock.sendall(b"a")
            except OSError:  # the server closed the connection
                return
            time.sleep(0.2)


def test_sigterm_ends_a_slow_request_within_the_grace_period(tmp_path: Path) -> None:
    with serve(tmp_path, "--no-worker") as served:
        port = int(served.base_url.rsplit(":", 1)[1])
        stop = threading.Event()
        slow = threading.Thread(target=_trickle, args=(("127.0.0.1", port), stop), daemon=True)
        slow.start()
        time.sleep(1)
        try:
            took = served.stop(timeout=20)
        finally:
            stop.set()
            slow.join(timeout=5)
    # Docker and systemd kill at 10 s: the request gets 8 s, then the process exits.
    assert 7 < took < 10, took
    print(f"SIGTERM to exit with a slow request in flight: {took:.1f} s")
