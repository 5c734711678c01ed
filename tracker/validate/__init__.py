"""Validation: raw cells parsed once per distinct value (``cells``, ``distinct`` and the text fast paths), the
contract's checks as a pandera schema (``schema``, the definition) and vectorized (``checks``), Chinese messages,
the report, and the department warning lists' validation. ``validate(register)`` returns a
:class:`ValidatedRegister` with every cell error at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "CellError": "validator", "CODES": "messages", "id_check_digit": "schema", "match_key": "schema",
    "read_warning_lists": "warning_lists",
    "file_lines": "warning_lists", "report_json": "report", "report_text": "report", "Table": "validator",
    "textops": "textops", "today_in_china": "cells", "translate": "checks", "validate": "validator",
    "ValidatedRegister": "validator", "validation_report": "warning_lists", "ValueCodes": "distinct",
    "WarningLists": "warning_lists", "WarningRow": "warning_lists"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from . import textops as textops
    from .cells import today_in_china as today_in_china
    from .checks import translate as translate
    from .distinct import ValueCodes as ValueCodes
    from .messages import CODES as CODES
    from .report import report_json as report_json
    from .report import report_text as report_text
    from .schema import id_check_digit as id_check_digit
    from .schema import match_key as match_key
    from .validator import (
        CellError as CellError,
    )
    from .validator import (
        Table as Table,
    )
    from .validator import (
        ValidatedRegister as ValidatedRegister,
    )
    from .validator import (
        validate as validate,
    )
    from .warning_lists import (
        WarningLists as WarningLists,
    )
    from .warning_lists import (
        WarningRow as WarningRow,
    )
    from .warning_lists import (
        file_lines as file_lines,
    )
    from .warning_lists import (
        read_warning_lists as read_warning_lists,
    )
    from .warning_lists import (
        validation_report as validation_report,
    )
