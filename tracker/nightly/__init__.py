"""The unattended nightly job: its configuration (file, environment, flags, checked in one place), the run itself
(lock, skip when nothing changed, snapshot only an accepted register, the vanished-households guard) and what the
snapshots add to the site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "load_config": "config", "run_nightly": "job"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .config import load_config as load_config
    from .job import run_nightly as run_nightly
