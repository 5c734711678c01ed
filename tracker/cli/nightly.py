"""CLI of the nightly job and its history: nightly, history, diff, restore, rollback."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO


def _config(args: argparse.Namespace):  # -> Config
    from tracker.nightly import load_config

    flags = {k: getattr(args, k, None) for k in ("source", "out", "data_dir", "secrets", "policy", "warnings")}
    if getattr(args, "write_back", False):
        flags["write_back"] = True
    return load_config(Path(args.config) if getattr(args, "config", None) else None, **flags)


def _say(text: str, stream: TextIO) -> None:
    """A line of the nightly's output: under cron or systemd (not a terminal) stamped with China time, as the
    stage lines are, so every line of the log says when."""
    from tracker.common import stamped

    print(text if stream.isatty() else stamped(text), file=stream, flush=True)


def cmd_nightly(args: argparse.Namespace) -> int:
    from tracker.common import StageTimer, TrackerError
    from tracker.nightly import run_nightly

    timer = StageTimer(quiet=args.quiet)
    try:
        outcome = run_nightly(_config(args), as_of=args.as_of, timer=timer, accept_vanished=args.accept_vanished)
    except TrackerError as exc:
        _say(f"错误：{exc}", sys.stderr)
        return exc.exit_code
    except Exception as exc:  # an unexpected crash: nothing was published; log it fully for the admin
        import traceback

        traceback.print_exc(file=sys.stderr)
        _say(f"错误：夜间任务意外中断（{type(exc).__name__}: {exc}），没有发布新网站，已发布的网站保持不变。"
             "请把上面的日志发给维护人员。", sys.stderr)
        return 1
    if args.timings:
        Path(args.timings).write_text(json.dumps(outcome.stages, ensure_ascii=False, indent=1), encoding="utf-8")
    for line in outcome.blind:  # first, and on stderr: cron mails it; the exit code says it too
        _say(f"错误：{line}", sys.stderr)
    _say(outcome.message, sys.stdout)  # once: the job itself logs no outcome (a skipped run printed it twice)
    return 1 if outcome.blind else 0


def cmd_history(args: argparse.Namespace) -> int:
    from tracker.history import SnapshotStore

    snaps = SnapshotStore(_config(args).data_dir).list()
    if not snaps:
        print("还没有快照：运行一次 tracker nightly 后就会有。")
        return 0
    print(f"快照{' ' * 18}读取时间（北京时间）  内容校验值")  # columns of 22 display columns (a Chinese character: 2)
    for snap in snaps:
        print(f"{snap.label:<22}{snap.taken.isoformat(sep=' '):<22}{snap.sha[:16]}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from tracker.history import SnapshotStore, diff
    from tracker.validate import validate

    store = SnapshotStore(_config(args).data_dir)
    a, b = store.find(args.a), store.find(args.b)
    change = diff(validate(store.load(a), today=a.day), validate(store.load(b), today=b.day), a.label, b.label)
    if args.format == "json":
        print(json.dumps(change.as_dict(), ensure_ascii=False, indent=1))
        return 0
    print(f"{a.label} → {b.label}：新增 {len(change.new)} 户，删除 {len(change.vanished)} 户，"
          f"风险消除 {len(change.cleared)} 户，变化 {len(change.changes)} 处")
    for title, records in (("新增", change.new), ("删除（请核实）", change.vanished), ("风险消除", change.cleared)):
        for r in records:
            print(f"  {title}：{r.household_id} {r.head_name}（{r.township} {r.village}，{r.category}，{r.status}）")
    for c in change.changes:
        print(f"  变化：{c.household_id} {c.what}由“{c.before}”改为“{c.after}”")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from tracker.history import SnapshotStore
    from tracker.register import restore_register

    store = SnapshotStore(_config(args).data_dir)
    snap = store.find(args.snapshot)
    rows = restore_register(store.load(snap), Path(args.out))
    print(f"已把快照 {snap.label} 的名册（{rows} 行）写入 {args.out}。")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from tracker.pipeline import rollback

    out = rollback(_config(args).out)
    print(f"已回退：{out} 现在是上一版网站（再运行一次 tracker rollback 可以换回来）。")
    return 0


_CONFIG_HELP = "配置文件（默认当前目录的 tracker.toml，若存在）"
_DATA_HELP = "数据目录（快照、状态、锁），默认 .tracker/"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, metavar="配置文件", help=_CONFIG_HELP)
    p.add_argument("--data", dest="data_dir", default=None, metavar="目录", help=_DATA_HELP)
    p.add_argument("--out", default=None, metavar="目录", help="网站目录，默认 public/")


def add_commands(sub: argparse._SubParsersAction, as_of_type, secrets_help: str) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("nightly", help="夜间任务：读取名册、保存快照、校验、生成并发布网站")
    _common(p)
    p.add_argument("--source", default=None, metavar="名册",
                   help="名册（不给出、配置里也没有时使用自动生成的演示名册）")
    p.add_argument("--policy", default=None, metavar="参数文件", help="政策参数 YAML 文件")
    p.add_argument("--secrets", default=None, metavar="密码文件",
                   help=secrets_help + "；演示时不给出则自动生成演示密码")
    p.add_argument("--write-back", action="store_true", help="把校验结果写回 Google 表格")
    p.add_argument("--warnings", default=None, metavar="目录", help="行业部门预警名单的目录")
    p.add_argument("--as-of", type=as_of_type, default=None, metavar="日期",
                   help="按哪一天判断（YYYY-MM-DD），默认今天（北京时间）")
    p.add_argument("--timings", default=None, metavar="文件", help="把各阶段用时写成 JSON 文件")
    p.add_argument("--quiet", action="store_true", help="不打印各阶段的进度")
    p.add_argument("--accept-vanished", action="store_true",
                   help="确认名册比上次少了很多户是对的（超过 max_vanished_share 时默认不发布）")
    p.set_defaults(func=cmd_nightly)

    p = sub.add_parser("history", help="列出名册快照")
    _common(p)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("diff", help="比较两个快照：新增、删除、风险消除、类别或状态变化的户")
    _common(p)
    p.add_argument("a", metavar="快照1", help="较早的快照（日期 YYYY-MM-DD、快照名，或 previous）")
    p.add_argument("b", metavar="快照2", help="较晚的快照（日期、快照名，或 latest）")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="输出格式：text（默认，给人看）或 json（给程序读）")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("restore", help="把某个快照的名册写成 .xlsx（模板格式）")
    p.add_argument("snapshot", metavar="快照", help="快照（日期 YYYY-MM-DD、快照名，或 latest）")
    p.add_argument("--out", required=True, metavar="文件", help="新的 .xlsx 文件")
    p.add_argument("--config", default=None, metavar="配置文件", help=_CONFIG_HELP)
    p.add_argument("--data", dest="data_dir", default=None, metavar="目录", help=_DATA_HELP)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("rollback", help="把网站换回上一版（再运行一次换回来）")
    _common(p)
    p.set_defaults(func=cmd_rollback)



