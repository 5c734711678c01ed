"""The register over time: snapshots kept in the data directory (content-addressed, verified when read) and what
changed between two registers (new, cleared, changed and vanished households, the vanished-household ledger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "Change": "changes", "diff": "changes", "Diff": "changes", "HouseholdRecord": "changes", "load_records":
    "changes", "Pending": "snapshots", "records": "changes", "save_records": "changes", "Snapshot": "snapshots",
    "SnapshotStore": "snapshots", "Vanished": "changes", "VanishedLedger": "changes"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .changes import (
        Change as Change,
    )
    from .changes import (
        Diff as Diff,
    )
    from .changes import (
        HouseholdRecord as HouseholdRecord,
    )
    from .changes import (
        Vanished as Vanished,
    )
    from .changes import (
        VanishedLedger as VanishedLedger,
    )
    from .changes import (
        diff as diff,
    )
    from .changes import (
        load_records as load_records,
    )
    from .changes import (
        records as records,
    )
    from .changes import (
        save_records as save_records,
    )
    from .snapshots import Pending as Pending
    from .snapshots import Snapshot as Snapshot
    from .snapshots import SnapshotStore as SnapshotStore
