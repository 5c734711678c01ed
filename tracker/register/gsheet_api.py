"""Talking to the Sheets API through gspread: service-account credentials, a timeout on every request,
bounded retries, and one plain Chinese sentence when Google can't be reached or refuses.

* Credentials: the service-account JSON named by ``GOOGLE_APPLICATION_CREDENTIALS`` (or given explicitly);
  read-only scope unless writing. gspread itself reads no environment variable.
* Timeouts: gspread sends ``timeout=None`` by default (a dead connection hangs forever); ``set_timeout`` is
  always called.
* Retries: gspread 6.2.1's ``BackOffHTTPClient`` never gives up and ignores transport errors, so it is not
  used. Each call is retried here on 408/429/5xx, timeouts and connection errors, at most ``tries`` times,
  sleeping with exponential backoff and jitter in between (``sleep`` is injectable: tests never wait).
* Fewest requests: gspread's ``open_by_key`` fetches the metadata (``includeGridData=false``, no ``fields``
  mask: every tab's properties and merged ranges) but keeps only the spreadsheet's properties; the small HTTP
  client below keeps the whole answer so the tab titles and merges cost no second request. A read is
  therefore exactly 2 requests: metadata + one ``values:batchGet``. Don't add a ``fields`` mask to that call
  without keeping ``sheets.properties`` and ``sheets.merges``.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.http_client import HTTPClient
from gspread.utils import absolute_range_name

from tracker.common import SourceError

T = TypeVar("T")

CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
READ_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
WRITE_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``tries`` attempts per call; before attempt n+1 sleep between half and all of
    ``min(max_delay, base_delay * 2**(n-1))`` (1, 2, 4, 8 s by default: at most 15 s in all), or the
    server's ``Retry-After`` when longer (still capped). ``timeout`` is (connect, read) seconds per request."""

    tries: int = 5
    base_delay: float = 1.0
    max_delay: float = 16.0
    timeout: tuple[float, float] = (10.0, 60.0)
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        wait = ceiling / 2 + self.jitter() * ceiling / 2
        if retry_after:
            wait = max(wait, min(self.max_delay, retry_after))
        return wait


DEFAULT_POLICY = RetryPolicy()


# ------------------------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class ServiceAccount:
    path: Path
    info: Mapping[str, Any]

    @property
    def email(self) -> str:
        return str(self.info.get("client_email", ""))


_HOW_TO_SET = (f"请在 Google Cloud 控制台为服务账号下载 JSON 密钥，并设置环境变量 {CREDENTIALS_ENV}"
               f"（如 export {CREDENTIALS_ENV}=/path/to/key.json）后重试")


def load_service_account(path: Path | None = None) -> ServiceAccount:
    """The service-account key file given, or the one ``$GOOGLE_APPLICATION_CREDENTIALS`` names."""
    if path is None:
        named = os.environ.get(CREDENTIALS_ENV, "").strip()
        if not named:
            raise SourceError(f"读取 Google 表格需要服务账号密钥，但没有设置环境变量 {CREDENTIALS_ENV}："
                              f"{_HOW_TO_SET}。")
        path, origin = Path(named).expanduser(), f"环境变量 {CREDENTIALS_ENV} 指向的文件"
    else:
        origin = "服务账号密钥文件"
    if not path.is_file():
        raise SourceError(f"{origin} {path} 不存在：{_HOW_TO_SET}。")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{origin} {path} 不是有效的 JSON 密钥文件：{_HOW_TO_SET}。") from exc
    if not isinstance(info, dict) or info.get("type") != "service_account" or not info.get("client_email") \
            or not info.get("private_key"):
        kind = info.get("type") if isinstance(info, dict) else None
        hint = "这是个人账号的登录凭据，" if kind in ("authorized_user", "installed", "web") else ""
        raise SourceError(f"{origin} {path} 不是服务账号密钥（{hint}应含 type=service_account、client_email、"
                          f"private_key）：{_HOW_TO_SET}。")
    return ServiceAccount(path, info)


def authorized_session(credentials: Any) -> requests.Session:
    """The HTTP session that signs requests (the one place tests swap for a stand-in of Google)."""
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(credentials)


def _session(account: ServiceAccount, scopes: Sequence[str]) -> requests.Session:
    from google.oauth2.service_account import Credentials

    try:
        credentials = Credentials.from_service_account_info(dict(account.info), scopes=list(scopes))
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"服务账号密钥 {account.path} 已损坏（私钥无法读取）：{_HOW_TO_SET}。") from exc
    return authorized_session(credentials)


class _KeepMetadata(HTTPClient):
    """gspread's HTTP client, keeping the last metadata answer (open_by_key drops the tabs and their merges)."""

    metadata: Mapping[str, Any] | None = None

    def fetch_sheet_metadata(self, id: str, params: Any = None) -> Mapping[str, Any]:
        self.metadata = super().fetch_sheet_metadata(id, params=params)
        return self.metadata


# ------------------------------------------------------------------------------------------------ faults


def _status(exc: BaseException) -> int | None:
    if isinstance(exc, APIError):
        return int(exc.response.status_code)
    if isinstance(exc, SpreadsheetNotFound):
        return 404
    if isinstance(exc, PermissionError) and isinstance(exc.__cause__, APIError):
        return 403  # gspread's open_by_key turns a 403 into a bare PermissionError
    return None


def _api_error(exc: BaseException) -> APIError | None:
    if isinstance(exc, APIError):
        return exc
    return exc.__cause__ if isinstance(exc.__cause__, APIError) else None


def _transport(exc: BaseException) -> str | None:
    """'timeout' / 'connection' for network faults worth retrying, else None."""
    from google.auth.exceptions import TransportError

    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError | TransportError):
        return "connection"
    return None


def _transient(exc: BaseException) -> bool:
    status = _status(exc)
    return status in (408, 429) or (status is not None and status >= 500) or _transport(exc) is not None


def _retry_after(exc: BaseException) -> float | None:
    error = _api_error(exc)
    value = error.response.headers.get("Retry-After") if error is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _service_disabled(error: APIError | None) -> bool:
    if error is None:
        return False
    details = json.dumps(error.error.get("details", []))
    message = str(error.error.get("message", ""))
    return "SERVICE_DISABLED" in details or "has not been used" in message or "is disabled" in message


@dataclass
class SheetsConnection:
    """One open spreadsheet: its metadata, and every call retried and explained."""

    key: str
    account: ServiceAccount
    spreadsheet: Any
    metadata: Mapping[str, Any]
    policy: RetryPolicy
    writable: bool

    @classmethod
    def open(cls, key: str, credentials: Path | None = None, *, writable: bool = False,
             policy: RetryPolicy | None = None) -> SheetsConnection:
        """Load the credentials and open the spreadsheet: one Sheets request (its metadata)."""
        policy = policy or DEFAULT_POLICY
        account = load_service_account(credentials)
        session = _session(account, WRITE_SCOPES if writable else READ_SCOPES)
        client = gspread.Client(auth=None, session=session, http_client=_KeepMetadata)  # type: ignore[arg-type]
        client.set_timeout(policy.timeout)
        connection = cls(key, account, None, {}, policy, writable)
        connection.spreadsheet = connection.call(lambda: client.open_by_key(key))
        connection.metadata = client.http_client.metadata or {}  # type: ignore[attr-defined]
        return connection

    def batch_get(self, titles: Sequence[str]) -> Mapping[str, Any]:
        """Every tab's values in one ``values:batchGet`` request (titles quoted: a tab may be named 'CRM26')."""
        ranges = [absolute_range_name(title) for title in titles]
        return self.call(lambda: self.spreadsheet.values_batch_get(ranges, params=dict(READ_PARAMS)))

    def batch_update(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """One ``spreadsheets:batchUpdate`` request (its sub-requests are applied atomically)."""
        return self.call(lambda: self.spreadsheet.batch_update(body), writing=True)

    def call(self, action: Callable[[], T], *, writing: bool = False) -> T:
        """Run one API call, retrying transient faults; anything else, or the last failure, as SourceError."""
        for attempt in range(1, self.policy.tries + 1):
            try:
                return action()
            except Exception as exc:
                if attempt < self.policy.tries and _transient(exc):
                    self.policy.sleep(self.policy.delay(attempt, _retry_after(exc)))
                    continue
                explained = self.explain(exc, attempt, writing)
                if explained is None:
                    raise
                raise explained from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def explain(self, exc: BaseException, attempts: int, writing: bool = False) -> SourceError | None:
        """One Chinese sentence for a failed call, naming what to do; None for an unexpected error."""
        from google.auth.exceptions import RefreshError

        email, key, status = self.account.email, self.key, _status(exc)
        tried = f"已尝试 {attempts} 次仍失败" if attempts > 1 else "请求失败"
        error = _api_error(exc)
        detail = str(error.error.get("message", "")) if error is not None else ""
        if status == 403 and _service_disabled(error):
            return SourceError(f"服务账号 {email} 所在的 Google Cloud 项目还没有启用 Google Sheets API："
                               "请在 Google Cloud 控制台的“API 和服务”中启用 Google Sheets API，几分钟后重试。")
        if status == 403 and writing:
            return SourceError(f"服务账号 {email} 对表格 {key} 只有查看权限，不能写入：请在表格右上角点“共享”，"
                               f"把 {email} 的权限改为“编辑者”后重试。")
        if status == 403:
            return SourceError(f"服务账号 {email} 没有权限打开表格 {key}：请在表格右上角点“共享”，把表格共享给 {email}"
                               "（只校验选“查看者”，要回写校验结果选“编辑者”）后重试。")
        if status == 404:
            return SourceError(f"找不到 Google 表格 {key}：请检查 --source 中的表格网址或 key 是否完整、正确"
                               "（复制浏览器地址栏里的网址）。")
        if status == 401 or isinstance(exc, RefreshError):
            return SourceError(f"Google 不接受服务账号 {email} 的密钥（{self.account.path}）：密钥可能已被删除或停用，"
                               "请在 Google Cloud 控制台重新创建并下载 JSON 密钥后重试。")
        if status == 429:
            return SourceError(f"Google 表格 API 的请求次数超过配额（每分钟 60 次读取），{tried}：请过几分钟再运行。")
        if status == 408 or (status is not None and status >= 500):
            return SourceError(f"Google 表格服务暂时不可用（HTTP {status}），{tried}：请稍后再运行。")
        if _transport(exc) == "timeout":
            return SourceError(f"连接 Google 表格（sheets.googleapis.com）超时，{tried}："
                               "请检查网络或代理设置后再运行。")
        if _transport(exc) == "connection":
            return SourceError(f"无法连接 Google 表格（sheets.googleapis.com），{tried}：请检查网络或代理设置"
                               "（如 HTTPS_PROXY）后再运行。")
        if status == 400 and writing:
            return SourceError(f"Google 表格拒绝了写入（{detail}），表格没有被修改；请把这句话转给维护人员。")
        if status is not None:
            return SourceError(f"Google 表格 API 拒绝了请求（HTTP {status}：{detail}），请把这句话转给维护人员。")
        if isinstance(exc, ValueError):  # a 200 answer that isn't JSON (a captive portal, a proxy page)
            return SourceError("Google 表格返回的内容无法解析，可能被网络代理或登录页拦截：请检查网络后再运行。")
        return None
