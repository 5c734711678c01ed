"""Serving the site over HTTPS with a local self-signed certificate, and optional basic auth.

Servers bind 127.0.0.1 only, on ephemeral ports; every request and process has a timeout.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import selectors
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
LOGIN = "jicune-qinusi-suwubo-cuxude-972"  # the generated format: passes the policy

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
    auth = BasicAuth("xian", LOGIN)
    with running(make_server(site, "127.0.0.1", 0, cert, key, auth)) as port:
        url = f"https://127.0.0.1:{port}/index.html"
        status, headers, _ = _get(url, cert)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic ")
        assert _get(url, cert, ("xian", "wrong-password-here"))[0] == 401
        assert _get(url, cert, ("other", LOGIN))[0] == 401
        status, _, body = _get(url, cert, ("xian", LOGIN))
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
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_SERVE_PASSWORD": LOGIN}
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
        status, _, body = _get(url, cert, ("xian", LOGIN))
        assert status == 200 and "一村" in body
        assert stat.S_IMODE((tmp_path / "tls" / "key.pem").stat().st_mode) == 0o600
    finally:
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


# ------------------------------------------------------------------------- hostile clients (issue 14, item 10)


@contextmanager
def serve_process(site: Path, tmp_path: Path, password: str) -> Iterator[tuple[subprocess.Popen[str], int | None]]:
    """``tracker serve --user xian`` on plain HTTP (loopback): the process and its port (None if it did not start)."""
    argv = [sys.executable, "-m", "tracker", "serve", "--site", str(site), "--host", "127.0.0.1", "--port", "0",
            "--user", "xian"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_SERVE_PASSWORD": password}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=tmp_path, stdin=subprocess.DEVNULL)
    try:
        line, deadline = "", time.monotonic() + 60
        while "http://" not in line and time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        yield process, int(match.group(1)) if match else None
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


def _login(port: int, user: str, password: str, source: str = "127.0.0.1") -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0))
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    try:
        connection.request("GET", "/index.html", headers={"Authorization": f"Basic {token}"})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.headers)
    finally:
        connection.close()


@pytest.mark.parametrize("password", ["a-long-http-password", "qinghexian-2026-jiance", "Password-2026-admin!"])
def test_a_guessable_login_password_is_refused_at_start(site: Path, tmp_path: Path, password: str) -> None:
    with serve_process(site, tmp_path, password) as (process, port):
        assert port is None, "the server started with a guessable login password"
        assert process.wait(timeout=TIMEOUT) == 2
        err = process.stderr.read() if process.stderr else ""
    assert "HTTP 登录" in err and "太容易猜" in err and password not in err and "Traceback" not in err


def test_failed_logins_are_limited_per_client_and_logged(site: Path, tmp_path: Path) -> None:
    wrong = "not-the-password-zq81"
    with serve_process(site, tmp_path, LOGIN) as (process, port):
        assert port, process.stderr.read() if process.poll() is not None and process.stderr else ""
        assert [_login(port, "xian", wrong)[0] for _ in range(4)] == [401] * 4
        status, headers = _login(port, "xian", wrong)  # the fifth failure in ten minutes: locked out
        assert status == 429 and 50 <= int(headers["Retry-After"]) <= 60
        assert _login(port, "xian", LOGIN)[0] == 429  # even the right password, until the lockout ends
        assert _login(port, "xian", LOGIN, source="127.0.0.2")[0] == 200  # other clients are not affected
        process.terminate()
        process.wait(timeout=TIMEOUT)
        err = process.stderr.read() if process.stderr else ""
    failures = [line for line in err.splitlines() if "登录失败" in line]
    assert len(failures) == 5 and all("127.0.0.1" in line for line in failures)
    assert "暂停" in failures[-1] and wrong not in err and LOGIN not in err


def test_login_limiter_locks_out_longer_each_time_and_forgets_on_success() -> None:
    from tracker.protect.login_limit import MAX_CLIENTS, LoginLimiter

    now = [1000.0]
    limiter = LoginLimiter(max_failures=3, window=600, lockout=60, max_lockout=200, clock=lambda: now[0])
    assert [limiter.failed("a")[1] for _ in range(3)] == [0, 0, 60]
    assert limiter.retry_after("a") == 60 and limiter.retry_after("b") == 0
    now[0] += 61
    assert limiter.retry_after("a") == 0
    assert [limiter.failed("a")[1] for _ in range(3)] == [0, 0, 120]  # the second lockout is twice as long
    now[0] += 121
    assert [limiter.failed("a")[1] for _ in range(3)] == [0, 0, 200]  # capped
    now[0] += 201
    limiter.succeeded("a")
    assert [limiter.failed("a")[1] for _ in range(3)] == [0, 0, 60]
    limiter.failed("c")
    now[0] += 601
    assert limiter.failed("c") == (1, 0)  # failures older than the window are forgotten
    for n in range(MAX_CLIENTS + 10):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._clients) == MAX_CLIENTS


def _raw(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_nul_and_undecodable_paths_are_a_400(site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with running(make_server(site, "127.0.0.1", 0)) as port:
        for target in ("/index.html%00", "/t1/%00/v1.html", "/%00", "/%ED%A0%80.html"):
            assert _raw(port, target).startswith(b"HTTP/1.0 400"), target
        assert _raw(port, "/index.html").startswith(b"HTTP/1.0 200")
    assert "Traceback" not in capfd.readouterr().err


def test_symlinks_out_of_the_site_are_not_followed(site: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("数据目录里的名册", encoding="utf-8")
    (site / "leak.html").symlink_to(outside / "secret.txt")
    (site / "out").symlink_to(outside, target_is_directory=True)
    (site / "alias.html").symlink_to("index.html")  # inside the site: served
    with running(make_server(site, "127.0.0.1", 0)) as port:
        for target in ("/leak.html", "/out/secret.txt", "/out/"):
            response = _raw(port, target)
            assert response.startswith(b"HTTP/1.0 404") and "名册".encode() not in response, target
        assert "首页".encode() in _raw(port, "/alias.html")


def test_a_burst_of_200_connections_waits_in_the_backlog(site: Path) -> None:
    server = make_server(site, "127.0.0.1", 0)
    port = server.server_address[1]
    sockets = []
    try:
        with selectors.DefaultSelector() as selector:
            for _ in range(200):  # all at once, before the server accepts any of them
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
                sockets.append(sock)
                selector.register(sock, selectors.EVENT_WRITE)
            connected, deadline = 0, time.monotonic() + 5
            while connected < len(sockets) and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=0.2):
                    selector.unregister(key.fileobj)
                    connected += key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0  # type: ignore[union-attr]
        assert connected == 200, f"only {connected} of 200 connections were taken into the backlog"
        with running(server):
            for sock in sockets:
                sock.setblocking(True)
                sock.settimeout(TIMEOUT)
                sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
            answers = []
            for sock in sockets:
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
                answers.append(data)
        assert all(a.startswith(b"HTTP/1.0 200") and "首页".encode() in a for a in answers)
    finally:
        for sock in sockets:
            sock.close()
        server.server_close()
