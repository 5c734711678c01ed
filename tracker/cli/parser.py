"""argparse in Chinese: every parser of the ``tracker`` command (the top one and each subcommand's) is a
:class:`ChineseParser`, so help, usage and every argument error read in Chinese; the flag names stay English.

What argparse itself would say in English is replaced where it is made: the section titles, the usage prefix and
the ``-h`` text here; its error messages (made inside argparse, in English) are translated in :meth:`error` from
their templates (:data:`MESSAGES`).  An argument error prints the subcommand's usage and one line, exit code 2.
Help is wrapped by display width (a Chinese character takes two columns).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
import unicodedata
from typing import Any, NoReturn

USAGE_PREFIX = "用法："
HELP_TEXT = "显示本帮助后退出"

#: argparse's error templates (its gettext msgids) -> the Chinese; fields in braces.  ``argument`` wraps another.
MESSAGES = {
    "argument %(argument_name)s: %(message)s": "{argument_name}：{message}",
    "the following arguments are required: %s": "缺少必须给出的参数：{0}",
    "unrecognized arguments: %s": "不认识的参数：{0}",
    "invalid choice: %(value)r (choose from %(choices)s)": "「{value}」不是可选的值，只能是：{choices}",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有「{parser_name}」这个命令，可用的命令：{choices}",
    "invalid %(type)s value: %(value)r": "「{value}」不是{type}",
    "expected one argument": "后面要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少要跟一个值",
    "expected %s argument": "后面要跟 {0} 个值",
    "expected %s arguments": "后面要跟 {0} 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 {option} 不完整，可能是：{matches}",
    "one of the arguments %s is required": "下面的参数要给出一个：{0}",
    "not allowed with argument %s": "不能和 {0} 一起用",
    "ignored explicit argument %r": "不带值（多写了「{0}」）",
    "unexpected option string: %s": "不该出现的选项：{0}",
}
_TYPES = {"int": "整数", "float": "数字"}


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching what ``template % values`` gives, one group per field (``%s``: groups 0, 1, ...)."""
    out, position = [], 0
    for match in re.finditer(r"%(?:\((\w+)\))?[sr]", template):
        out.append(re.escape(template[position:match.start()]))
        out.append(f"(?P<{match.group(1) or f'_{len(out) // 2}'}>.+?)")
        position = match.end()
    return re.compile("".join(out) + re.escape(template[position:]) + r"\Z", re.S)


_COMPILED = [(_pattern(english), chinese) for english, chinese in MESSAGES.items()]


def _unquote(text: str) -> str:
    """``'2019'`` -> ``2019``; a list of quoted values -> joined with 、 (argparse shows them as reprs)."""
    try:
        value = ast.literal_eval(f"({text},)")
    except (ValueError, SyntaxError):
        return text
    return "、".join(str(v) for v in value) if all(isinstance(v, str | int) for v in value) else text


def translate(message: str) -> str:
    """argparse's English error message in Chinese (unchanged when it is none of :data:`MESSAGES`)."""
    for pattern, chinese in _COMPILED:
        match = pattern.match(message)
        if match is None:
            continue
        fields = {name: _unquote(value) for name, value in match.groupdict().items()}
        if "message" in fields:  # "argument X: <another message>"
            fields["message"] = translate(match.group("message"))
        if "type" in fields:
            fields["type"] = _TYPES.get(fields["type"], f"有效的 {fields['type']} 值")
        for key in ("choices", "matches", "_0"):  # lists argparse joins with ", "
            if key in fields:
                fields[key] = fields[key].replace(", ", "、")
        return chinese.format(fields.get("_0"), **{k: v for k, v in fields.items() if k != "_0"})
    return message


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKEN = re.compile(r"\s+|[!-~]+|.", re.S)  # a run of spaces, a run of printable ASCII (not broken), one character
_NO_LINE_START = set("，。；：、）」』”！？")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns (Chinese breaks anywhere, ASCII words do not)."""
    lines, line = [], ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            line += " " if line else ""
            continue
        if line and _width(line.rstrip() + token) > width:
            carry = line[-1] if token in _NO_LINE_START and _width(line[-1]) == 2 else ""  # no line starts with ，
            if carry or token not in _NO_LINE_START:
                lines.append(line[:len(line) - len(carry)].rstrip())
                line = carry
        line += token
    return [*lines, line.rstrip()] if line.strip() else lines


_HEADING = re.compile(r"^(参数|选项):$", re.M)
_USAGE_PART = re.compile(r"\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+")  # argparse's own split of a usage


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Chinese usage prefix; help wrapped and aligned by display width."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        """argparse's usage, wrapped again by display width (argparse counts characters)."""
        width, self._width = self._width, 10**6
        try:
            text = super()._format_usage(usage, actions, groups, prefix).strip("\n")
        finally:
            self._width = width
        if not prefix or _width(text) <= width - self._current_indent:
            return f"{text}\n\n" if prefix else text
        head = f"{prefix}{self._prog}"
        indent = " " * (_width(head) + 1)
        lines, line = [], head
        for part in _USAGE_PART.findall(text[len(head):]):
            if _width(f"{line} {part}") > width - self._current_indent:
                lines.append(line)
                line = indent + part
            else:
                line = f"{line} {part}"
        lines.append(line)
        return "\n".join(lines) + "\n\n"

    def add_argument(self, action: argparse.Action) -> None:
        """Measure the flags column by display width, and the subcommands' names with their extra indent."""
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            step = self._indent_increment
            widths = [_width(self._format_action_invocation(a)) + self._current_indent + step * (a is not action)
                      for a in (action, *getattr(action, "_get_subactions", tuple)())]
            self._action_max_length = max(self._action_max_length, *widths)

    def format_help(self) -> str:
        return _HEADING.sub(r"\1：", super().format_help())

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_action(self, action: argparse.Action) -> str:
        """argparse pads the flags column by character count: take back a column for each wide character."""
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = _width(header) - len(header)
        first, _, rest = text.partition("\n")
        start = " " * self._current_indent + header
        if not extra or not action.help or not first.startswith(start) or first == start:
            return text
        help_part = first[len(start):]
        gap = len(help_part) - len(help_part.lstrip(" "))
        if gap - extra >= 2:
            return f"{start}{' ' * (gap - extra)}{help_part.lstrip(' ')}\n{rest}"
        help_position = len(start) + gap
        return f"{start}\n{' ' * help_position}{help_part.lstrip(' ')}\n{rest}"


class ChineseSubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose own help starts with the line they have in the list of commands."""

    def add_parser(self, name: str, **kwargs: Any) -> ChineseParser:
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"])
        return super().add_parser(name, **kwargs)  # type: ignore[no-any-return]


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese; its subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"  # (see _HEADING)
        self.register("action", "parsers", ChineseSubParsers)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_TEXT)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:
        """Unknown arguments are reported by the (sub)command they were given to, with its usage and, for a
        mistyped flag, the flag it most likely means."""
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            flags = [s for a in self._actions for s in a.option_strings]
            close = [m for e in extras if e.startswith("-")
                     for m in difflib.get_close_matches(e.split("=")[0], flags, n=1, cutoff=0.6)]
            hint = f"（是不是要写 {close[0]}？）" if close else ""
            self.error_chinese(f"不认识的参数：{' '.join(extras)}{hint}")
        return namespace, extras

    def error(self, message: str) -> NoReturn:
        self.error_chinese(translate(message))

    def error_chinese(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        end = "" if message.endswith(("。", "？", "！")) else "。"
        self.exit(2, f"错误：{message}{end}查看全部选项：{self.prog} -h\n")
