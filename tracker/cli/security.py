"""The ``tracker passwords generate`` and ``tracker serve`` commands (registered by :mod:`tracker.cli.app`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.common import ConfigError

if TYPE_CHECKING:
    from tracker.protect import Secrets


def _register_names(source: str) -> tuple[str, list[tuple[str, str]]]:
    """County name and the (township, village) pairs of the register's 行政村 tab, in register order."""
    from tracker.common import fmt
    from tracker.pipeline import read_and_validate
    from tracker.protect import fold

    villages = read_and_validate(source).tables["villages"].values
    county, names, seen = "", [], set()
    for _, row in villages.iterrows():
        township, village = fmt.text(row.get("township")).strip(), fmt.text(row.get("village")).strip()
        county = county or fmt.text(row.get("county")).strip()
        key = (fold(township), fold(village))
        if township and village and key not in seen:
            seen.add(key)
            names.append((township, village))
    return county or "本县", names


def cmd_passwords_generate(args: argparse.Namespace) -> int:
    from tracker.protect import (
        GENERATED_BITS,
        check_location,
        distribution_sheets,
        generate_secrets,
        read_secrets,
        staged_sheets,
        write_secrets,
    )

    target = check_location(Path(args.secrets))
    sheets_dir = check_location(Path(args.sheets) / "sheet.md").parent if args.sheets else None
    if target.exists() and not (args.force or args.update):
        raise ConfigError(f"密码文件 {target} 已经存在，没有覆盖：只给新增的乡镇、村补上密码用 --update，"
                          "确实要换掉全部密码用 --force（换了以后要把新密码重新发下去）。")
    county, names = _register_names(args.source)
    words = [county, *(name for pair in names for name in pair)]  # what a guesser who knows the county tries first
    keep = read_secrets(target, env={}, names=words) if args.update and target.exists() else None
    secrets = generate_secrets(names, keep=keep)
    secrets.check(words)
    # Everything is made and checked before anything is written; then the sheets are written aside, the secrets
    # file replaced in one rename, and only then the sheets moved in: a failure never leaves half of it.
    sheets = distribution_sheets(secrets, county)
    written: list[Path] = []
    if sheets_dir is None:
        write_secrets(secrets, target, force=True)
    else:
        with staged_sheets(sheets, sheets_dir) as stage:
            write_secrets(secrets, target, force=True)
            written = stage.commit()
    keys = _derive_keys(secrets, target)
    print(f"已写入密码文件 {target}（权限 600）：县级 1 个、乡镇 {len(secrets.townships)} 个、"
          f"村 {len(secrets.villages)} 个；新生成的密码每个 {GENERATED_BITS:.0f} 位强度。")
    print(f"由密码算出的加密密钥存在 {keys}（权限 600，与密码文件同样机密；生成网站时直接使用，不必每次重算）。")
    if written:
        print(f"分发表 {len(written)} 份（每个乡镇一份，权限 600）：{sheets_dir}。打印发放后请删除。")
    if args.show:
        for text in sheets.values():
            print()
            print(text)
        print(f"县级密码：{secrets.county}")
    elif not written:
        print("没有导出分发表：加 --sheets 目录 导出每个乡镇一份，或加 --show 在屏幕上显示全部密码。")
    return 0


def _derive_keys(secrets: Secrets, target: Path) -> Path:
    """Derive every password's PBKDF2 key now (seconds per hundred passwords), so builds need not."""
    from tracker.protect import KDF_POW, key_files, password_keys

    path = key_files(None, target)[0]
    passwords = [pw for _, pw in secrets.places()]
    print(f"正在由 {len(passwords)} 个密码算出加密密钥（PBKDF2，每个密码 10^{KDF_POW} 次）……", flush=True)
    password_keys(passwords, 10**KDF_POW, [path])
    return path


def _serve_auth(args: argparse.Namespace):  # -> BasicAuth | None
    from tracker.protect import ENV_SERVE_PASSWORD, BasicAuth

    if not args.user:
        return None
    password = os.environ.get(ENV_SERVE_PASSWORD)
    if not password:
        if not sys.stdin.isatty():
            raise ConfigError(f"用了 --user 就要给出登录密码：请设置环境变量 {ENV_SERVE_PASSWORD}。")
        password = getpass.getpass(f"给用户 {args.user} 设一个登录密码：")
    return BasicAuth(args.user, password)  # make_server applies the password policy to it


def cmd_serve(args: argparse.Namespace) -> int:
    from tracker.protect import DEFAULT_CERT_DIR, make_certificate, make_server, url_of

    host = args.host or ("0.0.0.0" if args.https else "127.0.0.1")
    cert = key = None
    if args.https:
        if args.cert or args.key:
            if not (args.cert and args.key):
                raise ConfigError("--cert 和 --key 要一起给出。")
            cert, key = Path(args.cert), Path(args.key)
        else:
            cert, key = make_certificate(Path(args.cert_dir or DEFAULT_CERT_DIR), force=args.new_cert)
    server = make_server(Path(args.site), host, args.port, cert, key, _serve_auth(args), quiet=not args.verbose)
    urls = url_of(server, args.https)
    print("网站已开始提供服务，按 Ctrl+C 停止。地址：" + "  ".join(urls))
    if args.https and not args.cert:
        print(f"证书是本机自签的（{cert}）：浏览器第一次会提示不安全，确认是本县服务器后继续；"
              "也可以把这个证书导入各电脑的“受信任的根证书”。")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("passwords", help="网站密码：生成密码文件和分发表")
    actions = p.add_subparsers(dest="action", required=True, metavar="操作")
    g = actions.add_parser("generate", help="为县、每个乡镇、每个村生成强密码，写入密码文件（权限 600）")
    g.add_argument("--source", required=True, metavar="名册", help="名册（从“行政村”工作表读取乡镇和村的名称）")
    g.add_argument("--secrets", required=True, metavar="密码文件", help="密码文件路径（必须在 git 仓库和网站目录以外）")
    g.add_argument("--sheets", default=None, metavar="目录",
                   help="分发表目录：每个乡镇一份 Markdown（必须在 git 仓库以外）")
    g.add_argument("--force", action="store_true", help="覆盖已有的密码文件（全部换新密码）")
    g.add_argument("--update", action="store_true", help="保留已有密码，只给新增的乡镇、村生成")
    g.add_argument("--show", action="store_true", help="在屏幕上显示全部密码（小心旁人和终端记录）")
    g.set_defaults(func=cmd_passwords_generate)

    p = sub.add_parser("serve", help="在局域网用 HTTPS 提供网站（自签证书），可加 HTTP 登录")
    p.add_argument("--site", default="public", metavar="目录", help="网站目录，默认 public/")
    p.add_argument("--https", action="store_true", help="用 HTTPS（局域网访问必须）；默认只在本机用 HTTP")
    p.add_argument("--host", default=None, metavar="地址",
                   help="监听地址：HTTPS 默认 0.0.0.0（局域网），HTTP 默认 127.0.0.1")
    p.add_argument("--port", type=int, default=8443, metavar="端口", help="端口，默认 8443")
    p.add_argument("--cert-dir", default=None, metavar="目录", help="自签证书和私钥的目录，默认 .tracker/tls/")
    p.add_argument("--new-cert", action="store_true", help="重新生成自签证书（换了 IP 地址或机器名时）")
    p.add_argument("--cert", default=None, metavar="证书文件", help="已有的证书文件（PEM），和 --key 一起用")
    p.add_argument("--key", default=None, metavar="私钥文件", help="已有证书的私钥文件（PEM）")
    p.add_argument("--user", default=None, metavar="用户名",
                   help="加一层 HTTP 登录：用户名（密码取环境变量 TRACKER_SERVE_PASSWORD）")
    p.add_argument("--verbose", action="store_true", help="打印每个请求")
    p.set_defaults(func=cmd_serve)
