"""The secrets file: where the site passwords live, outside the repository and outside the website.

Format (TOML, UTF-8; county staff can read and edit it with any text editor)::

    # 防止返贫监测台账 · 网站密码文件
    version = 1

    [county]                       # 县级密码：能打开全部页面
    password = "yefufa-bicica-zapuli-xufawu-374"

    [townships]                    # 乡镇密码：键是名册里的乡镇名
    "城关镇" = "zapida-lisase-sequti-muqile-360"

    [villages]                     # 村密码：键是 "乡镇/行政村"，名称与名册一致
    "城关镇/东村" = "dunazu-zuguhu-leleka-yuzinu-033"

    [villages."河东/河西乡"]        # 乡镇名里有 "/" 时：这个乡镇的村写在它自己的小表里
    "前村" = "kabizi-duhela-mopeca-yugisa-512"

Keys are TOML basic strings, so a name with ``"``, ``\\`` or ``:`` is quoted, not cut.  A village key
``"乡镇/行政村"`` is split at the first ``/`` after which the left part names a township of ``[townships]`` (else
at the first ``/``), so files written before the sub-tables existed read as before.  Names are matched the way
the register matches them (full/half width, spaces and case ignored).  The
environment variable ``TRACKER_COUNTY_PASSWORD``, when set, overrides ``[county] password`` (so the county
password can stay out of the file entirely).  A township or village missing from the file is not an
error: its pages open with the passwords of the levels above it, and the build says which places have
no own password.  ``tracker passwords generate`` writes a complete file (mode 0600).

Where: the path comes from ``--secrets FILE`` or ``TRACKER_SECRETS`` (later the ``tracker.toml`` config).
It is refused inside any git work tree (the project's checkout included) and inside the website's output
directory, so a password file can never be committed or published by accident.  The demo (``tracker
nightly`` with nothing configured) keeps its generated, fictional passwords in ``.tracker/demo/`` under
the working directory, which ``.gitignore`` excludes.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

from tracker.common import ConfigError, write_private

from .passwords import Secrets, fold, generate_secrets

ENV_SECRETS = "TRACKER_SECRETS"
ENV_COUNTY = "TRACKER_COUNTY_PASSWORD"
DEMO_SECRETS = Path(".tracker") / "demo" / "secrets.toml"
_TOP_KEYS = {"version", "county", "townships", "villages"}

HEADER = """\
# 防止返贫监测台账 · 网站密码文件（由 tracker passwords generate 生成，可以用文本编辑器修改）
#
# 机密！不要放进 git 仓库、网站目录或共享文件夹；文件权限保持 600（只有本人可读写）。
# 县级密码能打开全部页面；乡镇密码能打开本乡镇页面、清单和所属各村；村密码只能打开本村页面。
# 名称须与名册一致：乡镇写乡镇名，村写 "乡镇/行政村"
# （乡镇名里有 / 的，村写在 [villages."乡镇名"] 小表里）。
# 每个密码至少 16 个字符，不能用地名、拼音、年份拼成（估计至少要猜 10^16 次），
# 各处密码不能相同。设置了环境变量 TRACKER_COUNTY_PASSWORD 时，用它代替这里的县级密码。
"""


def _git_work_tree(path: Path) -> Path | None:
    for parent in (path, *path.parents):
        if (parent / ".git").exists():
            return parent
    return None


def check_location(path: Path, out: Path | None = None) -> Path:
    """The resolved path, or :class:`ConfigError` if it lies in a git work tree or in the website output."""
    resolved = path.expanduser().resolve()
    tree = _git_work_tree(resolved.parent)
    if tree is not None:
        raise ConfigError(f"密码文件 {resolved} 在 git 仓库 {tree} 里面，可能被提交泄露：请把它放到仓库以外的"
                          "目录（例如 ~/.config/fanpin-tracker/secrets.toml）。")
    if out is not None:
        site = out.expanduser().resolve()
        for directory in (site, site.with_name(site.name + ".previous")):
            if resolved == directory or directory in resolved.parents:
                raise ConfigError(f"密码文件 {resolved} 在网站输出目录 {directory} 里面，会随网站一起发布："
                                  "请把它放到网站目录以外。")
    return resolved


def _table(data: Mapping[str, object], key: str, path: Path) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(f"密码文件 {path} 的 [{key}] 应当是一张表（每行写 名称 = \"密码\"）。")
    bad = [name for name, value in table.items() if not isinstance(value, str)]
    if bad:
        raise ConfigError(f"密码文件 {path} 的 [{key}] 里这些项的密码不是用引号括起来的文字："
                          f"{'、'.join(bad)}。")
    return dict(table)


def _split_key(key: str, known: AbstractSet[str]) -> tuple[str, str] | None:
    """(township, village) of a flat key ``"乡镇/行政村"``: at the first ``/`` that leaves a known township
    (``known``: folded names) on the left, else at the first ``/``; None when either side is empty."""
    cuts = [i for i, ch in enumerate(key) if ch == "/"]
    cut = next((i for i in cuts if fold(key[:i]) in known), cuts[0] if cuts else -1)
    township, village = key[:cut].strip(), key[cut + 1:].strip()
    return (township, village) if cut >= 0 and township and village else None


def _villages(table: object, townships: Mapping[str, str], path: Path) -> dict[tuple[str, str], str]:
    """The [villages] table: flat ``"乡镇/行政村" = 密码`` keys and ``[villages."乡镇"]`` sub-tables."""
    if not isinstance(table, dict):
        raise ConfigError(f"密码文件 {path} 的 [villages] 应当是一张表（每行写 \"乡镇/行政村\" = \"密码\"）。")
    villages: dict[tuple[str, str], str] = {}
    known = {fold(t) for t in townships}  # (once: folding every township again for each village key was quadratic)
    for key, value in table.items():
        if isinstance(value, dict):
            for village, pw in value.items():
                if not isinstance(pw, str):
                    raise ConfigError(f"密码文件 {path} 的 [villages.\"{key}\"] 里「{village}」的密码不是用引号括起来"
                                      "的文字。")
                if not key.strip() or not village.strip():
                    raise ConfigError(f"密码文件 {path} 的 [villages.\"{key}\"] 里乡镇名或村名是空的：请补上名称。")
                villages[(key.strip(), village.strip())] = pw
            continue
        if not isinstance(value, str):
            raise ConfigError(f"密码文件 {path} 的 [villages] 里「{key}」的密码不是用引号括起来的文字。")
        pair = _split_key(key, known)
        if pair is None:
            raise ConfigError(f"密码文件 {path} 的 [villages] 里「{key}」应写成 \"乡镇/行政村\"。")
        villages[pair] = value
    return villages


def read_secrets(path: Path, out: Path | None = None, env: Mapping[str, str] | None = None,
                 names: Iterable[str] = ()) -> Secrets:
    """Read and check a secrets file (location, format, policy); ``TRACKER_COUNTY_PASSWORD`` overrides.

    ``names``: the register's place names (county first), when known, for the strength estimate."""
    env = os.environ if env is None else env
    path = check_location(path, out)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到密码文件 {path}：请检查路径，或用 tracker passwords generate 生成一个。") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"密码文件 {path} 不是 UTF-8 编码的文本：请用 UTF-8 保存。") from exc
    except tomllib.TOMLDecodeError as exc:
        # The parser's message quotes a position, never the text, so no password is printed.
        raise ConfigError(f"密码文件 {path} 格式有误（{exc}）：请对照 README 里的格式修改。") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"密码文件 {path} 里有不认识的项：{'、'.join(unknown)}；只能有 version、[county]、"
                          "[townships]、[villages]。")
    county = _table(data, "county", path)
    extra = sorted(set(county) - {"password"})
    if extra:
        raise ConfigError(f"密码文件 {path} 的 [county] 里只能写 password，不认识：{'、'.join(extra)}。")
    townships = {k.strip(): v for k, v in _table(data, "townships", path).items()}
    villages = _villages(data.get("villages", {}), townships, path)
    secrets = Secrets(county=env.get(ENV_COUNTY) or county.get("password"),
                      townships=townships, villages=villages, source=path)
    secrets.check(names)
    return secrets


def county_only(env: Mapping[str, str] | None = None) -> Secrets | None:
    """Secrets from ``TRACKER_COUNTY_PASSWORD`` alone (every page then opens with the county password)."""
    env = os.environ if env is None else env
    if not env.get(ENV_COUNTY):
        return None
    secrets = Secrets(county=env[ENV_COUNTY])
    secrets.check()
    return secrets


def _quote(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes, and DEL, which TOML wants escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render_secrets(secrets: Secrets) -> str:
    """The TOML text of a secrets file: flat ``"乡镇/行政村"`` keys, a sub-table per township with a ``/``."""
    q = _quote
    lines = [HEADER, "version = 1", "", "[county]  # 县级密码：能打开全部页面", f"password = {q(secrets.county or '')}",
             "", "[townships]  # 乡镇密码：本乡镇页面、清单和所属各村"]
    lines += [f"{q(name)} = {q(pw)}" for name, pw in secrets.townships.items()]
    lines += ["", "[villages]  # 村密码：只能打开本村页面（键写 \"乡镇/行政村\"）"]
    nested: dict[str, list[str]] = {}
    for (t, v), pw in secrets.villages.items():
        if "/" in t:
            nested.setdefault(t, []).append(f"{q(v)} = {q(pw)}")
        else:
            lines.append(f"{q(f'{t}/{v}')} = {q(pw)}")
    for township, entries in nested.items():
        lines += ["", f"[villages.{q(township)}]  # 乡镇名里有 \"/\"：这个乡镇的村写在这里（键写村名）", *entries]
    return "\n".join(lines) + "\n"


def write_secrets(secrets: Secrets, path: Path, force: bool = False, out: Path | None = None,
                  check_repo: bool = True) -> Path:
    """Write the file with mode 0600; refuses to overwrite unless ``force``."""
    resolved = check_location(path, out) if check_repo else path.resolve()
    if resolved.exists() and not force:
        raise ConfigError(f"密码文件 {resolved} 已经存在，没有覆盖：确实要换掉全部密码时加 --force"
                          "（换密码后要把新密码重新发给各乡镇、各村）。")
    text = render_secrets(secrets)
    try:
        write_private(resolved, text)  # a temporary file beside it, then one rename: never half a file
    except OSError as exc:
        raise ConfigError(f"密码文件 {resolved} 写不进去（{exc.strerror or exc}）：请检查目录的权限和磁盘空间；"
                          "原来的密码文件没有改动。") from exc
    return resolved


def resolve_secrets(path: str | Path | None, out: Path, env: Mapping[str, str] | None = None) -> Secrets | None:
    """The secrets for a build: ``path``, else ``TRACKER_SECRETS``, else the county password alone, else None."""
    env = os.environ if env is None else env
    chosen = path or env.get(ENV_SECRETS)
    if chosen:
        return read_secrets(Path(chosen), out=out, env=env)
    return county_only(env)


def demo_secrets(model: object, out: Path, path: Path = DEMO_SECRETS,
                 env: Mapping[str, str] | None = None) -> tuple[Secrets, Path]:
    """The demo's passwords: read from ``.tracker/demo/secrets.toml``, adding any missing place, or created.

    The demo register is fictional, so this file is exempt from the git-work-tree rule (``.tracker/`` is
    git-ignored) but never inside the output directory.
    """
    env = os.environ if env is None else env
    keep = None
    _refuse_inside(path, out)
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            townships = dict(data.get("townships", {}))
            keep = Secrets(county=data["county"]["password"], townships=townships,
                           villages=_villages(data.get("villages", {}), townships, path))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError,
                ConfigError):
            keep = None  # a damaged demo file: the demo simply gets new passwords
    secrets = generate_secrets(model, keep=keep)
    if keep is None or render_secrets(keep) != render_secrets(secrets):
        write_secrets(secrets, path, force=True, check_repo=False)
    if env.get(ENV_COUNTY):
        secrets.county = env[ENV_COUNTY]
    secrets.source = path.resolve()
    secrets.check()
    return secrets, secrets.source


def _refuse_inside(path: Path, out: Path) -> None:
    site = out.resolve()
    if site == path.resolve() or site in path.resolve().parents:
        raise ConfigError(f"演示密码文件 {path.resolve()} 不能放在网站输出目录 {site} 里面。")
