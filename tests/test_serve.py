"""Serving the site over HTTPS with a local self-signed certificate, and optional basic auth.

Servers bind 127.0.0.1 only, on ephemeral ports; every request and process has a timeout.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Thread

import pytest

from tracker.common.errors import ConfigError
from tracker.protect.serve import BasicAuth, make_certificate, make_server

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 10

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / "t1").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    (root / "t1" / "v1.html").write_text("<p>一村</p>", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls") / "tls", ["localhost", "127.0.0.1"])


@contextmanager
def running(server) -> Iterator[int]:  # type: ignore[no-untyped-def]
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


def _get(url: str, cert: Path | None = None, auth: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    context = ssl.create_default_context(cafile=str(cert)) if cert else None
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def test_certificate_is_made_once_with_a_private_key(tls: tuple[Path, Path]) -> None:
    cert, key = tls
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"], capture_output=True, text=True,
                          timeout=TIMEOUT, check=True).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text and "CA:FALSE" in text
    before = cert.read_bytes()
    assert make_certificate(cert.parent)[0].read_bytes() == before  # reused, not regenerated


def test_https_serves_the_site_and_verifies_with_the_certificate(site: Path, tls: tuple[Path, Path]) -> None:
    cert, key = tls
    with running(make_server(site, "127.0.0.1", 0, cert, key)) as port:
        status, headers, body = _get(f"https://127.0.0.1:{port}/t1/v1.html", cert)
        assert status == 200 and "一村" in body
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
        assert _get(f"https://localhost:{port}/", cert)[0] == 200
        assert _get(f"https://127.0.0.1:{port}/t1/", cert)[0] == 404  # no directory listing
        assert _get(f"https://127.0.0.1:{port}/../../etc/passwd", cert)[0] == 404
        with pytest.raises(OSError):  # plain HTTP to the TLS port does not work ...
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=TIMEOUT)
        assert _get(f"https://127.0.0.1:{port}/", cert)[0] == 200  # ... and does not stop the server
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):  # a client that never says hello
            assert _get(f"https://127.0.0.1:{port}/", cert)[0] == 200  # does not block the others


def test_basic_auth_is_a_second_layer(site: Path, tls: tuple[Path, Path]) -> None:
    cert, key = tls
    auth = BasicAuth("xian", "a-long-http-password")
    with running(make_server(site, "127.0.0.1", 0, cert, key, auth)) as port:
        url = f"https://127.0.0.1:{port}/index.html"
        status, headers, _ = _get(url, cert)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic ")
        assert _get(url, cert, ("xian", "wrong-password-here"))[0] == 401
        assert _get(url, cert, ("other", "a-long-http-password"))[0] == 401
        status, _, body = _get(url, cert, ("xian", "a-long-http-password"))
        assert status == 200 and "首页" in body


def test_refusals(site: Path, tls: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HTTPS"):
        make_server(site, "0.0.0.0", 0)  # plain HTTP on the LAN: refused before binding
    inside = site / "key.pem"
    shutil.copy(tls[1], inside)
    with pytest.raises(ConfigError, match="网站目录"):
        make_server(site, "127.0.0.1", 0, tls[0], inside)
    with pytest.raises(ConfigError, match=r"index\.html"):
        make_server(tmp_path, "127.0.0.1", 0)


@pytest.mark.parametrize("command", ["cli", "script"])
def test_serve_command_and_script(site: Path, tmp_path: Path, command: str) -> None:
    """``tracker serve --https`` and ``scripts/serve-https`` as processes: certificate made, site served."""
    args = ["--site", str(site), "--host", "127.0.0.1", "--port", "0", "--cert-dir", str(tmp_path / "tls"),
            "--user", "xian"]
    argv = ([sys.executable, "-m", "tracker", "serve", "--https", *args] if command == "cli"
            else [str(REPO / "scripts" / "serve-https"), *args])
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_SERVE_PASSWORD": "a-long-http-password"}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=tmp_path, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "https://" not in line and time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                break
        match = re.search(r"https://127\.0\.0\.1:(\d+)/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None and process.stderr else "")
        cert = tmp_path / "tls" / "cert.pem"
        url = f"https://127.0.0.1:{match.group(1)}/t1/v1.html"
        assert _get(url, cert)[0] == 401
        status, _, body = _get(url, cert, ("xian", "a-long-http-password"))
        assert status == 200 and "一村" in body
        assert stat.S_IMODE((tmp_path / "tls" / "key.pem").stat().st_mode) == 0o600
    finally:
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)
