"""The nightly job's configuration: ``tracker.toml``, then environment variables, then command-line flags.

Checked in one place; every bad key is reported at once. Relative paths in the file are relative to the
file's own directory, so a cron job can run from anywhere. See ``tracker.example.toml`` for every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from tracker.common import ConfigError

DEFAULT_FILE = Path("tracker.toml")


@dataclass(frozen=True)
class Config:
    source: str | None = None  # .xlsx, CSV directory, Google Sheets URL or gsheet:KEY; None = demo county
    out: Path = Path("public")
    data_dir: Path = Path(".tracker")
    policy: Path | None = None
    secrets: Path | None = None
    site_url: str | None = None
    write_back: bool = False
    credentials: Path | None = None  # Google service-account JSON (else GOOGLE_APPLICATION_CREDENTIALS)
    warnings: Path | None = None  # folder of department warning lists (行业部门预警名单)
    keep_daily: int = 31
    # the largest share of last night's households tonight's register may lack before nothing is published
    max_vanished_share: float = 0.2
    # the theme cache (no personal data), by default beside the site; the counties of a province on one machine
    # may share one, so that a skeleton built for one county serves every county whose policy pages are the same
    theme_cache: Path | None = None
    origin: str = field(default="默认设置", compare=False)


_ENV = {
    "source": "TRACKER_SOURCE", "out": "TRACKER_OUT", "data_dir": "TRACKER_DATA_DIR", "policy": "TRACKER_POLICY",
    "secrets": "TRACKER_SECRETS", "site_url": "TRACKER_SITE_URL", "write_back": "TRACKER_WRITE_BACK",
    "credentials": "TRACKER_CREDENTIALS", "keep_daily": "TRACKER_KEEP_DAILY", "warnings": "TRACKER_WARNINGS",
    "max_vanished_share": "TRACKER_MAX_VANISHED_SHARE", "theme_cache": "TRACKER_THEME_CACHE",
}
_PATHS = {"out", "data_dir", "policy", "secrets", "credentials", "warnings", "theme_cache"}
_KEYS = [f.name for f in fields(Config) if f.name != "origin"]


def _coerce(key: str, value: Any, where: str, base: Path, problems: list[str]) -> Any:
    if key == "write_back":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "是", "0", "false",
                                                                 "no", "off", "否", ""):
            return value.strip().lower() in ("1", "true", "yes", "on", "是")
        problems.append(f"{where}：write_back 应为 true 或 false，现在是「{value}」")
        return None
    if key == "keep_daily":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or isinstance(value, bool):
            problems.append(f"{where}：keep_daily 应为不小于 0 的整数，现在是「{value}」")
            return None
        return number
    if key == "max_vanished_share":
        try:
            share = float(value)
        except (TypeError, ValueError):
            share = -1.0
        if isinstance(value, bool) or not 0 <= share <= 1:
            problems.append(f"{where}：max_vanished_share 应为 0 到 1 之间的小数（如 0.2 表示 20%），现在是「{value}」")
            return None
        return share
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}：{key} 应为非空的文字，现在是「{value}」")
        return None
    if key in _PATHS:
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path
    return value.strip()


def load_config(path: Path | None = None, env: dict[str, str] | None = None, **flags: Any) -> Config:
    """File (``path``, or ``tracker.toml`` in the working directory if it exists), env, then flags."""
    env = dict(os.environ) if env is None else env
    problems: list[str] = []
    values: dict[str, Any] = {}
    origin = "默认设置"
    file = path if path is not None else (DEFAULT_FILE if DEFAULT_FILE.is_file() else None)
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"找不到配置文件 {file}，请检查路径（示例见 tracker.example.toml）。") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 {file}：{exc}。") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件 {file} 格式不对：{exc}。") from exc
        origin = str(file)
        base = file.resolve().parent
        for key, value in data.items():
            if key not in _KEYS:
                hint = get_close_matches(key, _KEYS, n=1)
                problems.append(f"{file}：不认识的设置「{key}」" + (f"，是不是「{hint[0]}」？" if hint else ""))
                continue
            values[key] = _coerce(key, value, str(file), base, problems)
    cwd = Path.cwd()
    for key, var in _ENV.items():
        if env.get(var):
            values[key] = _coerce(key, env[var], f"环境变量 {var}", cwd, problems)
    for key, value in flags.items():
        if value is not None:
            values[key] = _coerce(key, value if not isinstance(value, Path) else str(value), f"参数 --{key}",
                                  cwd, problems)
    config = replace(Config(origin=origin), **{k: v for k, v in values.items() if v is not None})
    problems += _overlaps(config)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"配置有 {len(problems)} 处错误，请改正后重试：\n{listing}")
    return config


def _overlaps(config: Config) -> list[str]:
    """The site directory is replaced whole at every publish: the data directory (the snapshot history) must
    not be inside it, nor the site inside the data directory."""
    out, data = Path(os.path.realpath(config.out)), Path(os.path.realpath(config.data_dir))
    if out == data:
        return [f"网站目录和数据目录不能是同一个目录（{out}）：请分开设置 out 和 data_dir"]
    if data.is_relative_to(out):
        return [f"数据目录 {data} 在网站目录 {out} 里面：每次发布都会整体替换网站目录，快照历史会丢失，"
                "而且会被放到网上；请把 data_dir 放在网站目录以外"]
    if out.is_relative_to(data):
        return [f"网站目录 {out} 在数据目录 {data} 里面：请把 out 放在数据目录以外（数据目录只应本机管理员可读）"]
    if config.theme_cache is not None and Path(os.path.realpath(config.theme_cache)).is_relative_to(out):
        return [f"主题缓存目录 {config.theme_cache} 在网站目录 {out} 里面：每次发布都会整体替换网站目录，"
                "请把 theme_cache 放在网站目录以外"]
    return []
