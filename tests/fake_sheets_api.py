"""A local stand-in of the Google endpoints gspread and google-auth call, as a requests transport adapter.

No network, no real Google: the real gspread client and the real service-account credentials (a JWT signed
with a key generated here) talk to this adapter, mounted on the sessions they use. It mimics the Sheets v4
API's shapes: metadata ``{"spreadsheetId", "properties", "sheets": [{"properties": {...}, "merges": [...]}]}``
(``merges`` only on a tab that has some, each GridRange with its zero fields left out as the API's JSON does,
and only when no ``fields`` mask leaves them out); ``values:batchGet``
trims trailing empty cells and rows, sends an empty middle row as ``[]`` and omits ``values`` for an empty
range; ``spreadsheets:batchUpdate`` is validated and applied atomically; errors are
``{"error": {"code", "message", "status"}}``; a read-only token can't write; the sheet must be shared with the
service account. Faults (HTTP statuses, timeouts, connection errors) can be scripted per endpoint.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

SHEETS_HOST = "https://sheets.googleapis.com/"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SA_EMAIL = "tracker-bot@county-register.iam.gserviceaccount.com"
READONLY = "https://www.googleapis.com/auth/spreadsheets.readonly"
READWRITE = "https://www.googleapis.com/auth/spreadsheets"

ERRORS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}
MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
         "valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service "
         "'sheets.googleapis.com' for consumer 'project_number:123456789012'.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out.",
}


@cache
def service_account_info() -> dict[str, str]:
    """A service-account key file's content with a freshly generated RSA key (google-auth really signs with it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {
        "type": "service_account", "project_id": "county-register", "private_key_id": "0123456789abcdef",
        "private_key": pem, "client_email": SA_EMAIL, "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": TOKEN_URL,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/tracker-bot",
        "universe_domain": "googleapis.com",
    }


class LostAnswer:
    """A fault: the request is applied, then the answer is lost (the client sees a read timeout)."""


class Formula(str):
    """A cell holding a formula (what ``formulaValue`` or USER_ENTERED '=...' would store)."""


@dataclass
class Tab:
    sheet_id: int
    title: str
    rows: list[list[Any]] = field(default_factory=list)
    row_count: int = 1000
    column_count: int = 26
    frozen_rows: int = 0
    sheet_type: str = "GRID"
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    bold: set[tuple[int, int]] = field(default_factory=set)
    formats: list[tuple[dict[str, int], dict[str, Any]]] = field(default_factory=list)
    validations: list[tuple[dict[str, int], dict[str, Any]]] = field(default_factory=list)
    merges: list[dict[str, int]] = field(default_factory=list)  # GridRanges; sheetId: this tab's unless given

    def properties(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.column_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": index, "sheetType": self.sheet_type,
                "gridProperties": grid}

    def merge_ranges(self) -> list[dict[str, int]]:
        """The merges as the API sends them: proto3 JSON leaves out every field equal to 0 (sheetId included)."""
        return [{k: v for k, v in {"sheetId": self.sheet_id, **grid}.items() if v != 0} for grid in self.merges]

    def cell(self, row: int, column: int) -> Any:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def put(self, row: int, column: int, value: Any) -> None:
        while len(self.rows) <= row:
            self.rows.append([])
        line = self.rows[row]
        while len(line) <= column:
            line.append(None)
        line[column] = value


@dataclass
class Spreadsheet:
    key: str
    title: str
    tabs: list[Tab]
    shared: dict[str, str]  # e-mail -> "reader" | "writer"

    def tab(self, sheet_id: int) -> Tab:
        for tab in self.tabs:
            if tab.sheet_id == sheet_id:
                return tab
        raise _Invalid(f"No grid with id: {sheet_id}")

    def titled(self, title: str) -> Tab | None:
        return next((t for t in self.tabs if t.title == title), None)


@dataclass
class Seen:
    """One request that reached the Sheets stand-in (faulted attempts included)."""

    method: str
    endpoint: str  # metadata | batchGet | batchUpdate | other
    key: str
    params: dict[str, list[str]]
    body: Any
    timeout: Any
    status: int | str  # HTTP status answered, or the name of the exception raised


class _Invalid(Exception):
    pass


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def grid_range(a1: str) -> dict[str, int]:
    """``"B2:D3"`` as a GridRange: 0-based, ends exclusive."""
    corners = []
    for part in a1.split(":"):
        letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", part).groups()  # type: ignore[union-attr]
        corners.append((int(digits), sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters)))))
    (top, left), (bottom, right) = corners
    return {"startRowIndex": top - 1, "endRowIndex": bottom, "startColumnIndex": left - 1, "endColumnIndex": right}


def quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def api_number(value: float | int) -> float | int:
    """What a number looks like after a round trip through Sheets (a double; whole numbers print without .0)."""
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _rendered(value: Any, render: str) -> Any:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return value if render == "UNFORMATTED_VALUE" else str(value).upper()
    if isinstance(value, int | float):
        number = api_number(value)
        return number if render == "UNFORMATTED_VALUE" else str(number)
    if isinstance(value, Formula) and render == "FORMULA":
        return str(value)
    return str(value)


class FakeSheetsAPI(BaseAdapter):
    """The stand-in. ``add(key, {tab: rows})`` creates a spreadsheet; ``fail(endpoint, *faults)`` scripts faults."""

    def __init__(self) -> None:
        super().__init__()
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.requests: list[Seen] = []
        self.token_claims: list[dict[str, Any]] = []
        self.tokens: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, deque[Any]] = {}
        self.sleeps: list[float] = []
        self.token_error: dict[str, str] | None = None  # e.g. {"error": "invalid_grant", ...}: a revoked key

    # ------------------------------------------------------------------------------------------- set-up

    def add(self, key: str, tabs: dict[str, list[list[Any]]], *, title: str = "名册",
            shared: dict[str, str] | None = None, sizes: dict[str, tuple[int, int]] | None = None,
            merges: dict[str, list[str | dict[str, int]]] | None = None) -> Spreadsheet:
        """``merges`` per tab: A1 ranges like ``"A1:H1"``, or GridRange dicts as the API holds them."""
        made = []
        for i, (name, rows) in enumerate(tabs.items()):
            row_count, column_count = (sizes or {}).get(name, (max(1000, len(rows)), max(26, *map(len, rows), 1)))
            made.append(Tab(i * 1000 + 7 if i else 0, name, [list(r) for r in rows], row_count, column_count,
                            merges=[grid_range(m) if isinstance(m, str) else dict(m)
                                    for m in (merges or {}).get(name, ())]))
        sheet = Spreadsheet(key, title, made, dict(shared if shared is not None else {SA_EMAIL: "writer"}))
        self.spreadsheets[key] = sheet
        return sheet

    def fail(self, endpoint: str, *faults: Any) -> None:
        """Answer the next requests to ``endpoint`` with these faults, in order: an HTTP status (int), an
        ``(status, message)`` pair, or an exception instance to raise (a timeout, a connection error)."""
        self.faults.setdefault(endpoint, deque()).extend(faults)

    def session_for(self, credentials: Any) -> requests.Session:
        """What ``tracker.register.gsheet_api.authorized_session`` returns in tests: google-auth's AuthorizedSession
        whose token refresh and Sheets calls both land here."""
        from google.auth.transport.requests import AuthorizedSession, Request

        token_session = requests.Session()
        token_session.mount(TOKEN_URL, self)
        session = AuthorizedSession(credentials, auth_request=Request(token_session))
        session.mount(SHEETS_HOST, self)
        return session

    def install(self, monkeypatch: Any, tmp_path: Any) -> None:
        """Route tracker's Google calls here: a real key file named by GOOGLE_APPLICATION_CREDENTIALS,
        the sessions mounted on this adapter, and a retry policy that records its sleeps instead of sleeping."""
        from tracker.register import gsheet_api

        key_file = tmp_path / "service-account.json"
        key_file.write_text(json.dumps(service_account_info()), encoding="utf-8")
        monkeypatch.setenv(gsheet_api.CREDENTIALS_ENV, str(key_file))
        monkeypatch.setattr(gsheet_api, "authorized_session", self.session_for)
        monkeypatch.setattr(gsheet_api, "DEFAULT_POLICY", gsheet_api.RetryPolicy(sleep=self.sleeps.append))

    def reads(self) -> list[Seen]:
        return [s for s in self.requests if s.method == "GET"]

    def writes(self) -> list[Seen]:
        return [s for s in self.requests if s.method != "GET"]

    # ------------------------------------------------------------------------------------------ transport

    def close(self) -> None:
        pass

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        url = urlsplit(request.url or "")
        if request.url and request.url.startswith(TOKEN_URL):
            return self._token(request)
        path = unquote(url.path)
        params = parse_qs(url.query, keep_blank_values=True)
        body = json.loads(request.body) if request.body else None
        endpoint, key = self._route(path)
        seen = Seen(request.method or "", endpoint, key, params, body, timeout, 0)
        self.requests.append(seen)
        queue = self.faults.get(endpoint)
        if queue:
            fault = queue.popleft()
            if isinstance(fault, BaseException):
                seen.status = type(fault).__name__
                raise fault
            if isinstance(fault, LostAnswer):
                seen.status = self._handle(request, endpoint, key, params, body)[0]
                raise requests.exceptions.ReadTimeout("Read timed out. (read timeout=60.0)")
            status, message = fault if isinstance(fault, tuple) else (fault, MESSAGES.get(fault, "error"))
            return self._error(request, status, message, seen)
        try:
            status, payload = self._handle(request, endpoint, key, params, body)
        except _Invalid as exc:
            status, payload = 400, {"error": {"code": 400, "message": str(exc), "status": "INVALID_ARGUMENT"}}
        seen.status = status
        return self._response(request, status, payload)

    def _route(self, path: str) -> tuple[str, str]:
        rest = path.removeprefix("/v4/spreadsheets/")
        if rest.endswith("/values:batchGet"):
            return "batchGet", rest.removesuffix("/values:batchGet")
        if "/" not in rest and rest.endswith(":batchUpdate"):
            return "batchUpdate", rest.removesuffix(":batchUpdate")
        if "/" not in rest and ":" not in rest:
            return "metadata", rest
        return "other", rest.split("/")[0]

    def _response(self, request: requests.PreparedRequest, status: int, payload: Any,
                  headers: dict[str, str] | None = None) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json; charset=UTF-8", **(headers or {})})
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if status == 200 else ERRORS.get(status, "Error")
        return response

    def _error(self, request: requests.PreparedRequest, status: int, message: str, seen: Seen | None = None,
               details: list[dict[str, Any]] | None = None) -> requests.Response:
        if seen is not None:
            seen.status = status
        error: dict[str, Any] = {"code": status, "message": message, "status": ERRORS.get(status, "UNKNOWN")}
        if details:
            error["details"] = details
        return self._response(request, status, {"error": error})

    def _token(self, request: requests.PreparedRequest) -> requests.Response:
        form = parse_qs(request.body if isinstance(request.body, str) else (request.body or b"").decode())
        assertion = form["assertion"][0]
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        self.token_claims.append(claims)
        if self.token_error is not None:
            return self._response(request, 400, self.token_error)
        token = f"ya29.fake-{len(self.token_claims)}"
        self.tokens[token] = claims
        return self._response(request, 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    # ------------------------------------------------------------------------------------------- handlers

    def _handle(self, request: requests.PreparedRequest, endpoint: str, key: str, params: dict[str, list[str]],
                body: Any) -> tuple[int, Any]:
        auth = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        claims = self.tokens.get(auth)
        if claims is None:
            return 401, {"error": {"code": 401, "message": MESSAGES[401], "status": "UNAUTHENTICATED"}}
        sheet = self.spreadsheets.get(key)
        if sheet is None:
            return 404, {"error": {"code": 404, "message": MESSAGES[404], "status": "NOT_FOUND"}}
        role = sheet.shared.get(claims["iss"])
        if role is None:
            return 403, {"error": {"code": 403, "message": MESSAGES[403], "status": "PERMISSION_DENIED"}}
        if endpoint == "metadata":
            return 200, self._metadata(sheet, params.get("fields", [""])[0])
        if endpoint == "batchGet":
            return 200, self._batch_get(sheet, params)
        if endpoint == "batchUpdate":
            if READWRITE not in str(claims.get("scope", "")).split():
                return 403, {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                                       "status": "PERMISSION_DENIED", "details": [
                                           {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}]}}
            if role != "writer":
                return 403, {"error": {"code": 403, "message": MESSAGES[403], "status": "PERMISSION_DENIED"}}
            return 200, self._batch_update(sheet, body)
        raise _Invalid(f"the stand-in does not implement {request.method} {request.url}")

    def _metadata(self, sheet: Spreadsheet, fields: str = "") -> dict[str, Any]:
        with_merges = not fields or "merges" in fields or re.search(r"(^|,)\s*sheets\s*(,|$)", fields)
        return {
            "spreadsheetId": sheet.key,
            "properties": {"title": sheet.title, "locale": "zh_CN", "autoRecalc": "ON_CHANGE",
                           "timeZone": "Asia/Shanghai"},
            "sheets": [{"properties": tab.properties(i),
                        **({"merges": tab.merge_ranges()} if tab.merges and with_merges else {})}
                       for i, tab in enumerate(sheet.tabs)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{sheet.key}/edit",
        }

    def _parse_range(self, sheet: Spreadsheet, text: str) -> Tab:
        if text.startswith("'"):
            match = re.match(r"'((?:[^']|'')*)'(?:!(.*))?$", text)
            title = match.group(1).replace("''", "'") if match else None
        else:
            title = text.split("!")[0]
            if re.fullmatch(r"[A-Za-z]{1,3}\d+(:[A-Za-z]{1,3}\d*)?", title):  # 'CRM26' unquoted is a cell
                title = None
        tab = sheet.titled(title) if title is not None else None
        if tab is None:
            raise _Invalid(f"Unable to parse range: {text}")
        if tab.sheet_type != "GRID":
            raise _Invalid(f"Unable to parse range: {text}")
        return tab

    def _batch_get(self, sheet: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
        render = params.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        if render not in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
            raise _Invalid(f"Invalid value at 'value_render_option' ({render})")
        if params.get("majorDimension", ["ROWS"])[0] != "ROWS":
            raise _Invalid("the stand-in only serves majorDimension=ROWS")
        out = []
        for text in params.get("ranges", []):
            tab = self._parse_range(sheet, text)
            rows = [[_rendered(v, render) for v in row] for row in tab.rows[: tab.row_count]]
            rows = [row[: len(row) - next((i for i, v in enumerate(reversed(row)) if v != ""), len(row))]
                    for row in rows]
            while rows and not rows[-1]:
                rows.pop()
            value_range: dict[str, Any] = {
                "range": f"{quoted(tab.title)}!A1:{column_letter(tab.column_count)}{tab.row_count}",
                "majorDimension": "ROWS",
            }
            if rows:
                value_range["values"] = rows
            out.append(value_range)
        return {"spreadsheetId": sheet.key, "valueRanges": out}

    def _batch_update(self, sheet: Spreadsheet, body: Any) -> dict[str, Any]:
        work = copy.deepcopy(sheet)
        replies = []
        for i, item in enumerate(body.get("requests", [])):
            (kind, args), = item.items()
            try:
                replies.append(getattr(self, f"_do_{kind}")(work, args))
            except AttributeError as exc:
                raise _Invalid(f"Invalid requests[{i}]: the stand-in does not implement {kind}") from exc
            except _Invalid as exc:
                raise _Invalid(f"Invalid requests[{i}].{kind}: {exc}") from exc
        sheet.tabs = work.tabs  # all or nothing, like Google
        return {"spreadsheetId": sheet.key, "replies": replies}

    # batchUpdate sub-requests ----------------------------------------------------------------------------

    def _do_addSheet(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        props = args.get("properties", {})
        title = props.get("title") or f"工作表{len(sheet.tabs) + 1}"
        if sheet.titled(title):
            raise _Invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
        sheet_id = props.get("sheetId", max(t.sheet_id for t in sheet.tabs) + 1)
        if any(t.sheet_id == sheet_id for t in sheet.tabs):
            raise _Invalid(f"Sheet with id {sheet_id} already exists.")
        grid = props.get("gridProperties", {})
        tab = Tab(sheet_id, title, [], grid.get("rowCount", 1000), grid.get("columnCount", 26),
                  grid.get("frozenRowCount", 0))
        sheet.tabs.insert(props.get("index", len(sheet.tabs)), tab)
        return {"addSheet": {"properties": tab.properties(sheet.tabs.index(tab))}}

    def _do_deleteSheet(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        tab = sheet.tab(args["sheetId"])
        if len(sheet.tabs) == 1:
            raise _Invalid("You can't remove all the sheets in a document.")
        sheet.tabs.remove(tab)
        return {}

    def _do_updateSheetProperties(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        props = args["properties"]
        tab = sheet.tab(props["sheetId"])
        for name in args["fields"].split(","):
            if name == "title":
                if sheet.titled(props["title"]):
                    raise _Invalid(f'A sheet with the name "{props["title"]}" already exists.')
                tab.title = props["title"]
            elif name == "gridProperties.frozenRowCount":
                frozen = props["gridProperties"]["frozenRowCount"]
                if frozen >= tab.row_count:
                    raise _Invalid("You can't freeze all visible rows on the sheet.")
                tab.frozen_rows = frozen
            else:
                raise _Invalid(f"the stand-in does not implement the field {name}")
        return {}

    def _do_appendDimension(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        tab = sheet.tab(args["sheetId"])
        if args["dimension"] == "ROWS":
            tab.row_count += args["length"]
        else:
            tab.column_count += args["length"]
        return {}

    def _bounds(self, tab: Tab, grid: dict[str, int]) -> tuple[int, int, int, int]:
        bounds = (grid.get("startRowIndex", 0), grid.get("endRowIndex", tab.row_count),
                  grid.get("startColumnIndex", 0), grid.get("endColumnIndex", tab.column_count))
        if bounds[1] > tab.row_count or bounds[3] > tab.column_count:
            raise _Invalid(f"Range ({quoted(tab.title)}!R{bounds[0] + 1}C{bounds[2] + 1}:R{bounds[1]}C{bounds[3]}) "
                           f"exceeds grid limits. Max rows: {tab.row_count}, max columns: {tab.column_count}")
        return bounds

    def _do_updateCells(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        fields = set(args["fields"].split(","))
        rows = args.get("rows", [])
        if "range" in args:
            tab = sheet.tab(args["range"]["sheetId"])
            top, bottom, left, right = self._bounds(tab, args["range"])
            for r in range(top, min(bottom, max(len(tab.rows), top))):  # clear what the rows don't cover
                for c in range(left, right):
                    self._set(tab, r, c, {}, fields)
        else:
            tab = sheet.tab(args["start"]["sheetId"])
            top, left = args["start"].get("rowIndex", 0), args["start"].get("columnIndex", 0)
            bottom, right = tab.row_count, tab.column_count
        width = max((len(r.get("values", [])) for r in rows), default=0)
        if top + len(rows) > min(bottom, tab.row_count) or left + width > min(right, tab.column_count):
            raise _Invalid(f"Range ({quoted(tab.title)}!R{top + 1}C{left + 1}:R{top + len(rows)}C{left + width}) "
                           f"exceeds grid limits. Max rows: {tab.row_count}, max columns: {tab.column_count}")
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.get("values", [])):
                self._set(tab, top + r, left + c, cell, fields)
        return {}

    def _set(self, tab: Tab, r: int, c: int, cell: dict[str, Any], fields: set[str]) -> None:
        unknown = fields - {"userEnteredValue", "note", "userEnteredFormat.textFormat.bold"}
        if unknown:
            raise _Invalid(f"the stand-in does not implement the fields {sorted(unknown)}")
        if "userEnteredValue" in fields:
            value = cell.get("userEnteredValue", {})
            if "formulaValue" in value:
                stored: Any = Formula(value["formulaValue"])
            elif "numberValue" in value:
                if not math.isfinite(value["numberValue"]):
                    raise _Invalid("Invalid number value")
                stored = value["numberValue"]
            else:
                stored = value.get("stringValue", value.get("boolValue"))
            if stored is not None or tab.cell(r, c) is not None:
                tab.put(r, c, stored)
        if "note" in fields:
            if cell.get("note"):
                tab.notes[(r, c)] = cell["note"]
            else:
                tab.notes.pop((r, c), None)
        if "userEnteredFormat.textFormat.bold" in fields:
            if cell.get("userEnteredFormat", {}).get("textFormat", {}).get("bold"):
                tab.bold.add((r, c))
            else:
                tab.bold.discard((r, c))

    def _do_repeatCell(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        tab = sheet.tab(args["range"]["sheetId"])
        self._bounds(tab, args["range"])
        if args["fields"] != "userEnteredFormat.numberFormat":
            raise _Invalid(f"the stand-in does not implement the fields {args['fields']}")
        fmt = args["cell"]["userEnteredFormat"]["numberFormat"]
        if fmt.get("type") not in ("TEXT", "NUMBER", "PERCENT", "CURRENCY", "DATE", "TIME", "DATE_TIME", "SCIENTIFIC"):
            raise _Invalid(f"Invalid numberFormat type {fmt.get('type')}")
        tab.formats.append((args["range"], fmt))
        return {}

    def _do_setDataValidation(self, sheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
        tab = sheet.tab(args["range"]["sheetId"])
        self._bounds(tab, args["range"])
        condition = args["rule"]["condition"]
        if condition["type"] == "ONE_OF_LIST" and not condition.get("values"):
            raise _Invalid("ONE_OF_LIST requires at least one value")
        tab.validations.append((args["range"], args["rule"]))
        return {}
