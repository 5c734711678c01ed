"""The ``tracker`` command: a thin layer over the library. Expected failures print one sentence, no traceback.

Exit codes: 0 success / no errors, 1 errors found in the data, 2 the input cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from tracker.common import TrackerError

from .parser import ChineseParser


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期「{text}」无效，请写成 YYYY-MM-DD，如 2020-06-15") from exc


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"「{text}」不是正整数")
    return int(text)


def _write_back(args: argparse.Namespace):  # a gsheet_writeback.WriteBackRun, imported only when asked for
    if not args.write_back:
        return None
    from tracker.pipeline import WriteBackRun

    return WriteBackRun(args.source)


def cmd_validate(args: argparse.Namespace) -> int:
    from tracker.pipeline import read_and_validate
    from tracker.validate import report_json, report_text

    back = _write_back(args)
    result = back.validate() if back else read_and_validate(args.source, policy_file=args.policy)
    lists = None
    if args.warnings:  # department warning lists: their errors are listed after the register's
        from tracker.validate import read_warning_lists, validation_report

        lists = read_warning_lists(args.warnings)
        sys.stdout.write(validation_report(result, lists, args.format))
    else:
        sys.stdout.write(report_json(result) + "\n" if args.format == "json" else report_text(result))
    if back:
        print(back.write(result.errors), file=sys.stderr)
    return 1 if result.errors or (lists is not None and (lists.errors or lists.unreadable)) else 0


def cmd_check(args: argparse.Namespace) -> int:
    from tracker.pipeline import read_and_validate
    from tracker.rules import check_json, check_text, evaluate, exit_code, load_policy
    from tracker.validate import today_in_china

    policy = load_policy(Path(args.policy) if args.policy else None)
    as_of = args.as_of or today_in_china()
    back = _write_back(args)
    validated = (back.validate(today=as_of) if back
                 else read_and_validate(args.source, today=as_of, policy_file=args.policy))
    outcome = evaluate(validated, policy, as_of)
    if args.warnings:
        from tracker.rules import with_warnings

        outcome = with_warnings(validated, outcome, args.warnings)
    sys.stdout.write(check_json(validated, outcome) + "\n" if args.format == "json" else check_text(validated, outcome))
    if back:
        print(back.write(validated.errors, outcome.findings), file=sys.stderr)
    return exit_code(outcome)


def cmd_template(args: argparse.Namespace) -> int:
    from tracker.register import create_template

    print(create_template(args.dest, layout=args.layout))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.pipeline import write_demo

    files, sheets = write_demo(Path(args.path), villages=args.villages, households=args.households, seed=args.seed,
                               today=args.as_of, mechanism=args.mechanism)
    counts = "，".join(f"{s.name} {len(s.rows)} 行" for s in sheets)
    print(f"已生成演示名册 {files.register}（{counts}；数据均为虚构）。")
    print(f"演示县的政策参数（本县的低保标准、人口和虚构的本省监测标准）写在 {files.policy}，演示网站用的就是它。"
          "按同样的参数和日期检查这个名册：")
    print(f"  {files.check_command()}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from tracker.common import StageTimer
    from tracker.pipeline import build_site
    from tracker.protect import resolve_secrets

    secrets = resolve_secrets(args.secrets, Path(args.out))
    timer = StageTimer(quiet=not args.progress)
    outcome = build_site(args.source, Path(args.out), policy_file=args.policy, as_of=args.as_of, secrets=secrets,
                         timer=timer, warnings=args.warnings)
    if args.timings:
        stages = timer.as_dict(pages=outcome.pages, output_bytes=sum(
            f.stat().st_size for f in Path(args.out).rglob("*") if f.is_file()))
        Path(args.timings).write_text(json.dumps(stages, ensure_ascii=False, indent=1), encoding="utf-8")
    for line in outcome.blind:
        print(f"错误：{line}", file=sys.stderr)
    print("\n".join((outcome.summary_line(), *outcome.notes)))
    return 1 if outcome.blind else 0


_WRITE_BACK_HELP = "把结果写回 Google 表格的「校验结果」工作表（整体替换；需要把表格共享给服务账号为编辑者）"


_WARNINGS_HELP = ("行业部门预警名单的目录（.xlsx、.xls、.ods、网页导出的 .xls、CSV 等，每人一行，"
                  "列见 schemas/warnings.yaml），按身份证号与名册比对")

_FORMAT_HELP = "输出格式：text（默认，给人看）或 json（给程序读）"
_POLICY_HELP = "政策参数 YAML 文件（不给出时只用程序自带的默认值 schemas/policy.yaml）"
_AS_OF_HELP = "按哪一天判断（YYYY-MM-DD），默认今天（北京时间）"

_SECRETS_HELP = "网站密码文件（TOML，见 README；也可用环境变量 TRACKER_SECRETS），必须在 git 仓库和网站目录以外"


def _parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="tracker", description="防止返贫监测台账：校验名册、生成网站。"
                           "在命令后面加 -h 查看这个命令的用法，如 tracker check -h。")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("validate", help="逐格校验名册，列出全部错误")
    p.add_argument("--source", required=True, metavar="名册", help="名册工作簿（.xlsx、.xls、.ods 等，按内容识别）、"
                   "存放 CSV 文件的目录，或 Google 表格网址 / gsheet:KEY")
    p.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    p.add_argument("--policy", default=None, metavar="参数文件",
                   help="政策参数 YAML 文件：这里只用其中本县的表头别名（aliases）")
    p.add_argument("--write-back", action="store_true", help=_WRITE_BACK_HELP)
    p.add_argument("--warnings", default=None, metavar="目录", help=_WARNINGS_HELP)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("check", help="按政策规则检查名册，列出每户的问题和下一步")
    p.add_argument("--source", required=True, metavar="名册",
                   help="名册工作簿（.xlsx、.xls、.ods 等），或存放 CSV 文件的目录")
    p.add_argument("--policy", default=None, metavar="参数文件", help=_POLICY_HELP)
    p.add_argument("--as-of", type=_as_of, default=None, metavar="日期", help=_AS_OF_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    p.add_argument("--write-back", action="store_true", help=_WRITE_BACK_HELP)
    p.add_argument("--warnings", default=None, metavar="目录", help=_WARNINGS_HELP)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("template", help="生成空白名册模板（.xlsx 文件，或建在空白的 Google 表格里）")
    p.add_argument("dest", metavar="文件", help="以 .xlsx 结尾的新文件，或空白 Google 表格的网址 / gsheet:KEY")
    p.add_argument("--layout", choices=("contract", "national"), default="contract",
                   help="contract（默认）：按名册契约的各个工作表；national：全国系统导出的人员名单格式"
                        "（一人一行的「监测对象人员名单」，另加「帮扶措施」工作表），.xlsx 和 Google 表格都可以")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("demo", help="生成虚构的演示名册（.xlsx 或 CSV 目录）")
    p.add_argument("path", metavar="路径", help="输出路径：以 .xlsx 结尾写工作簿，否则写 CSV 目录")
    p.add_argument("--villages", type=_positive, default=40, metavar="个数", help="行政村个数，默认 40")
    p.add_argument("--households", type=_positive, default=600, metavar="户数", help="监测户户数，默认 600")
    p.add_argument("--seed", type=int, default=1, metavar="整数",
                   help="随机数种子，默认 1（同样的种子生成同样的名册）")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="日期", help="演示数据的“今天”，默认今天（北京时间）")
    p.add_argument("--mechanism", choices=("2020", "2021"), default=None,
                   help="按哪一套机制生成：2020 或 2021（默认按“今天”：2021年1月1日以后为 2021）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("build", help="校验名册并生成网站")
    p.add_argument("--source", required=True, metavar="名册", help="名册（同 tracker check）")
    p.add_argument("--out", required=True, metavar="目录", help="网站输出目录")
    p.add_argument("--policy", default=None, metavar="参数文件", help=_POLICY_HELP)
    p.add_argument("--as-of", type=_as_of, default=None, metavar="日期", help=_AS_OF_HELP)
    p.add_argument("--secrets", default=None, metavar="密码文件", help=_SECRETS_HELP)
    p.add_argument("--timings", default=None, metavar="文件", help="把各阶段用时写成 JSON 文件")
    p.add_argument("--progress", action="store_true", help="打印各阶段的进度")
    p.add_argument("--warnings", default=None, metavar="目录", help=_WARNINGS_HELP)
    p.set_defaults(func=cmd_build)

    from .nightly import add_commands as add_nightly_commands

    add_nightly_commands(sub, _as_of, _SECRETS_HELP)

    from .security import add_commands

    add_commands(sub)
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
