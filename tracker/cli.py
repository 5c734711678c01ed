"""The ``tracker`` command: a thin layer over the library. Expected failures print one sentence, no traceback.

Exit codes: 0 success / no errors, 1 errors found in the data, 2 the input cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from .errors import TrackerError


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期「{text}」无效，请写成 YYYY-MM-DD，如 2020-06-15") from exc


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"「{text}」不是正整数")
    return int(text)


def cmd_validate(args: argparse.Namespace) -> int:
    from .pipeline import read_and_validate
    from .report import report_json, report_text

    result = read_and_validate(args.source)
    sys.stdout.write(report_json(result) + "\n" if args.format == "json" else report_text(result))
    return 1 if result.errors else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import generate
    from .writers import write_register

    sheets = generate(villages=args.villages, households=args.households, seed=args.seed, today=args.as_of)
    target = Path(args.path)
    write_register(sheets, target)
    counts = "，".join(f"{s.name} {len(s.rows)} 行" for s in sheets)
    print(f"已生成演示名册 {target}（{counts}；数据均为虚构）。")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build_site

    outcome = build_site(args.source, Path(args.out), policy_file=args.policy, as_of=args.as_of)
    print(outcome.summary_line())
    return 0


def cmd_nightly(args: argparse.Namespace) -> int:
    from .pipeline import nightly

    outcome = nightly(source=args.source, out=Path(args.out) if args.out else None)
    print(outcome.summary_line())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracker", description="防止返贫监测台账：校验名册、生成网站。")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("validate", help="逐格校验名册，列出全部错误")
    p.add_argument("--source", required=True, help=".xlsx 工作簿，或存放 CSV 文件的目录")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help="生成虚构的演示名册（.xlsx 或 CSV 目录）")
    p.add_argument("path", help="输出路径：以 .xlsx 结尾写工作簿，否则写 CSV 目录")
    p.add_argument("--villages", type=_positive, default=40)
    p.add_argument("--households", type=_positive, default=600)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--as-of", type=_as_of, default=None, help="演示数据的“今天”，默认今天")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("build", help="校验名册并生成网站")
    p.add_argument("--source", required=True)
    p.add_argument("--out", required=True, help="网站输出目录")
    p.add_argument("--policy", default=None, help="政策参数 YAML 文件（默认 schemas/policy.yaml）")
    p.add_argument("--as-of", type=_as_of, default=None, help="按哪一天判断，默认今天（北京时间）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("nightly", help="夜间任务：读取名册、校验、生成并发布网站")
    p.add_argument("--source", default=None, help="不给出时使用自动生成的演示名册")
    p.add_argument("--out", default=None, help="默认 public/")
    p.set_defaults(func=cmd_nightly)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TrackerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
