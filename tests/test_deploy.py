"""Production shape: settings pass `check --deploy`, `kern serve` serves, `kern worker` retries events."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from kern.core import events
from kern.core.models import OutboxEvent

ROOT = Path(__file__).resolve().parent.parent
KERN = [sys.executable, "-m", "kern"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "KERN_VAR_DIR": str(tmp_path),
            "KERN_ENV": "production",
            "ALLOWED_HOSTS": "127.0.0.1,kern.example.com",
        }
    )
    env.update({"SECRET_KEY": secrets.token_urlsafe(60), "KERN_HTTPS": "0"})
    env.update(extra)
    return env


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = _env(tmp_path, KERN_HTTPS="1")
    result = subprocess.run([*KERN, "check", "--deploy", "--fail-level", "WARNING"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run([*KERN, "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kern_serve_runs_gunicorn_with_whitenoise(tmp_path):
    env = _env(tmp_path)
    subprocess.run(
        [*KERN, "collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=180
    )
    port = _free_port()
    server = subprocess.Popen([*KERN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/openapi.json", timeout=5
                ) as response:
                    assert response.status == 200 and b'"openapi"' in response.read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "kern serve did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/bootstrap/css/bootstrap.min.css"
        ) as response:
            assert response.status == 200 and "max-age" in response.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _flaky(event):
    if not getattr(_flaky, "healthy", False):
        raise ConnectionError("mail server unreachable")


events.subscribe("tests.flaky_mail", _flaky, after_commit=True)


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_events_whose_handler_failed():
    _flaky.healthy = False
    events.emit("tests.flaky_mail", {"to": "klant@example.nl"})
    row = OutboxEvent.objects.get(name="tests.flaky_mail")
    assert row.processed_at is None and "unreachable" in row.last_error
    _flaky.healthy = True
    call_command("worker", "--once")
    assert OutboxEvent.objects.get(pk=row.pk).processed_at is not None
