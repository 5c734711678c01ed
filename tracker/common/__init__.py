"""Small helpers every stage may use: the exception root (``errors``), how many cores a build may use (``cores``),
pausing the garbage collector (``gc_pause``), stage timing and progress (``progress``), where the data files live
(``resources``), money and date formats (``fmt``), private files (``private_files``), run locks (``lock``) and
China time (``clock``).
Imports nothing else of tracker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "as_date": "fmt", "BuildError": "errors", "CHINA": "clock", "china_now": "clock", "china_today": "clock",
    "CN_DATE": "fmt", "cn_date": "fmt", "ConfigError": "errors", "cores": "cores", "file_lock": "lock", "fmt": "fmt",
    "holder_text": "lock", "is_missing": "fmt", "paused_gc": "gc_pause", "private_dir": "private_files",
    "resource": "resources", "run_lock": "lock", "SourceError": "errors", "StageTimer": "progress", "stamp": "clock",
    "stamped": "clock", "TrackerError": "errors", "write_private": "private_files",
    "write_private_bytes": "private_files", "yuan": "fmt", "YUAN_CENTS": "fmt", "YUAN_WHOLE": "fmt",
    "ZONE_NAME": "clock"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from . import cores as cores
    from . import fmt as fmt
    from .clock import CHINA as CHINA
    from .clock import ZONE_NAME as ZONE_NAME
    from .clock import china_now as china_now
    from .clock import china_today as china_today
    from .clock import stamp as stamp
    from .clock import stamped as stamped
    from .errors import (
        BuildError as BuildError,
    )
    from .errors import (
        ConfigError as ConfigError,
    )
    from .errors import (
        SourceError as SourceError,
    )
    from .errors import (
        TrackerError as TrackerError,
    )
    from .fmt import (
        CN_DATE as CN_DATE,
    )
    from .fmt import (
        YUAN_CENTS as YUAN_CENTS,
    )
    from .fmt import (
        YUAN_WHOLE as YUAN_WHOLE,
    )
    from .fmt import (
        as_date as as_date,
    )
    from .fmt import (
        cn_date as cn_date,
    )
    from .fmt import (
        is_missing as is_missing,
    )
    from .fmt import (
        yuan as yuan,
    )
    from .gc_pause import paused_gc as paused_gc
    from .lock import file_lock as file_lock
    from .lock import holder_text as holder_text
    from .lock import run_lock as run_lock
    from .private_files import (
        private_dir as private_dir,
    )
    from .private_files import (
        write_private as write_private,
    )
    from .private_files import (
        write_private_bytes as write_private_bytes,
    )
    from .progress import StageTimer as StageTimer
    from .resources import resource as resource
