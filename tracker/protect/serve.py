"""Serve the built site on an intranet over HTTPS, with a self-signed certificate made locally.

Why HTTPS: the pages decrypt in the browser with WebCrypto (``crypto.subtle``), which browsers offer only
in a secure context -- ``https://``, ``http://localhost`` or ``file://``.  Opened as
``http://192.168.x.x/`` the password box cannot work (the page says so, in Chinese).

``tracker serve --https --site public`` makes (once) a certificate for this machine's names and LAN
addresses with the ``openssl`` command, keeps it with its private key (0600) in ``.tracker/tls/`` of the
working directory -- never inside the site -- and serves the site with Python's standard HTTP server.
Browsers warn about a self-signed certificate the first time; to avoid that, install
``.tracker/tls/cert.pem`` as trusted on the county's computers, or use the county's own certificate with
nginx or Caddy (``scripts/nginx-fanpin.conf``, ``scripts/Caddyfile``).

Optional second layer: HTTP basic auth (``--user NAME``, password from ``TRACKER_SERVE_PASSWORD`` or typed
at the prompt).  The login password must pass the site passwords' policy
(:func:`tracker.protect.passwords.check_strength`).  Failed logins are counted per client address
(:class:`LoginLimiter`): after 5 within 10 minutes the address gets ``429`` with ``Retry-After`` for 60 s,
doubling with each further lockout up to an hour, whatever it sends (the right password too); every failure
and lockout is logged to stderr with the address, never with what was typed.

Directory listings are off; responses carry ``nosniff``, ``no-referrer`` and ``DENY`` framing headers.  A
path with a NUL or an undecodable byte is a ``400``; a file whose real path (symbolic links resolved) is
outside the site is a ``404``.  The listen backlog holds :data:`LISTEN_BACKLOG` connections, so a burst of
hundreds of browsers opening at once waits instead of being dropped.  Plain HTTP is served only on the loopback
address (for looking at the site locally).
"""

from __future__ import annotations

import base64
import functools
import hmac
import ipaddress
import math
import os
import shutil
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tracker.common import ConfigError

from .login_limit import LoginLimiter
from .passwords import check_strength

DEFAULT_CERT_DIR = Path(".tracker") / "tls"
ENV_SERVE_PASSWORD = "TRACKER_SERVE_PASSWORD"
CERT_DAYS = 825
#: Connections the kernel keeps waiting for the accept loop (Python's default is 5).
LISTEN_BACKLOG = 512


@dataclass(frozen=True)
class BasicAuth:
    user: str
    password: str

    def accepts(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            given = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        user, _, password = given.partition(":")
        # Compare both parts, always, in constant time.
        ok_user = hmac.compare_digest(user.encode(), self.user.encode())
        ok_password = hmac.compare_digest(password.encode(), self.password.encode())
        return ok_user and ok_password


def lan_addresses() -> list[str]:
    """This machine's addresses as seen on the LAN (best effort, no packet is sent)."""
    found = {"127.0.0.1"}
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return sorted(found)


def _san(names: list[str]) -> str:
    entries = []
    for name in dict.fromkeys(names):
        try:
            ipaddress.ip_address(name)
            entries.append(f"IP:{name}")
        except ValueError:
            entries.append(f"DNS:{name}")
    return ",".join(entries)


def make_certificate(directory: Path, names: list[str] | None = None, force: bool = False) -> tuple[Path, Path]:
    """A self-signed certificate (EC P-256) and its key in ``directory``; reused when present unless ``force``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if cert.is_file() and key.is_file() and not force:
        return cert, key
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ConfigError("找不到 openssl 命令，无法生成证书：请先安装（Debian/Ubuntu：apt-get install openssl），"
                          "或用 --cert/--key 指定已有的证书。")
    names = names or ["localhost", socket.gethostname(), *lan_addresses()]
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", str(key), "-out", str(cert), "-days", str(CERT_DAYS), "-subj", "/CN=fanpin-tracker",
               "-addext", f"subjectAltName={_san(names)}", "-addext", "basicConstraints=critical,CA:FALSE",
               "-addext", "extendedKeyUsage=serverAuth"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise ConfigError(f"openssl 生成证书失败：{result.stderr.strip().splitlines()[-1:] or result.returncode}。")
    os.chmod(key, 0o600)
    return cert, key


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of one directory; no listings; optional basic auth with a per-client limit; quiet unless asked."""

    auth: BasicAuth | None = None
    limiter: LoginLimiter | None = None
    quiet: bool = True
    timeout = 30  # seconds a connection may stay idle (also bounds the TLS handshake)
    server_version = "fanpin-tracker"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()  # here, in the connection's thread, not in the accept loop

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        super().end_headers()

    def _plain(self, status: int, text: str, headers: dict[str, str]) -> None:
        body = text.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _too_many(self, wait: float) -> None:
        self._plain(429, f"登录失败次数太多，请 {math.ceil(wait)} 秒后再试。", {"Retry-After": str(math.ceil(wait))})

    def _authorised(self) -> bool:
        if self.auth is None:
            return True
        client, limiter = self.client_address[0], self.limiter
        wait = limiter.retry_after(client) if limiter else 0.0
        if wait > 0:
            self._too_many(wait)
            return False
        header = self.headers.get("Authorization")
        if self.auth.accepts(header):
            if limiter:
                limiter.succeeded(client)
            return True
        if header is not None and limiter:  # a browser's first request carries none: that is no failed login
            failures, wait = limiter.failed(client)
            self.log_always(f"登录失败，这个地址最近 {limiter.window / 60:.0f} 分钟内第 {failures} 次"
                            + (f"，暂停它登录 {math.ceil(wait)} 秒" if wait else ""))
            if wait > 0:
                self._too_many(wait)
                return False
        self._plain(401, "需要用户名和密码。", {"WWW-Authenticate": 'Basic realm="fanpin-tracker", charset="UTF-8"'})
        return False

    def do_GET(self) -> None:
        if self._authorised():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._authorised():
            super().do_HEAD()

    def send_head(self):  # type: ignore[no-untyped-def]  # -> file object | BytesIO | None, as the base class
        path = self.translate_path(self.path)
        try:
            if "\x00" in path:
                raise ValueError("NUL in the path")
            os.fsencode(path)  # a lone surrogate from %ED%A0%80 and the like cannot name a file
        except ValueError:
            self.send_error(400, "Bad request")
            return None
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):  # a symbolic link out of the site
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:  # type: ignore[override]
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def log_always(self, message: str) -> None:
        """A line on stderr whether quiet or not (failed logins): the client's address, never what it typed."""
        sys.stderr.write(f"{self.address_string()} - - [{self.log_date_time_string()}] {message}\n")
        sys.stderr.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # TLS handshake refused, client went away, idle timeout
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def make_server(site: Path, host: str = "127.0.0.1", port: int = 0, cert: Path | None = None,
                key: Path | None = None, auth: BasicAuth | None = None, quiet: bool = True,
                limiter: LoginLimiter | None = None) -> ThreadingHTTPServer:
    """A server (not yet serving) for ``site``; HTTPS when ``cert`` and ``key`` are given.

    ``auth``'s password must pass the site passwords' policy; ``limiter`` counts its failed logins (default:
    5 in 10 minutes, then 60 s and doubling)."""
    if auth is not None:
        check_strength(auth.password, "HTTP 登录（--user）")
    site = site.resolve()
    if not (site / "index.html").is_file():
        raise ConfigError(f"{site} 里没有 index.html：请先用 tracker build 或 tracker nightly 生成网站。")
    if cert is None and not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise ConfigError("不用 HTTPS 时只能在本机（127.0.0.1）提供服务：局域网里的浏览器只有通过 HTTPS 才能解密页面，"
                          "请加 --https。")
    for secret in (cert, key):
        if secret is not None and site in secret.resolve().parents:
            raise ConfigError(f"证书或私钥 {secret} 在网站目录里面，会被人下载：请放到网站目录以外。")
    limiter = limiter or LoginLimiter()
    handler = type("Handler", (SiteHandler,), {"auth": auth, "quiet": quiet, "limiter": limiter})
    server = _Server((host, port), functools.partial(handler, directory=str(site)))
    if cert is not None and key is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(cert), str(key))
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def url_of(server: ThreadingHTTPServer, https: bool) -> list[str]:
    host, port = server.server_address[:2]
    hosts = lan_addresses() if host in ("0.0.0.0", "") else [str(host)]
    scheme = "https" if https else "http"
    return [f"{scheme}://{h}:{port}/" for h in hosts]
