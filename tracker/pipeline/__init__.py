"""The stages wired together for one run: read -> validate -> rules (``check``), and on to render -> build -> publish
(``build_site``); publishing a built site by an atomic exchange, and writing the report back to a Google Sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "build_site": "run", "check": "checking", "check_owner": "publish", "DEMO_POLICY": "run",
    "demo_policy": "run", "DemoFiles": "run", "read_and_validate": "checking", "write_demo": "run",
    "rollback": "publish", "SiteHistory": "run", "WriteBackRun": "writeback"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .checking import check as check
    from .checking import read_and_validate as read_and_validate
    from .publish import check_owner as check_owner
    from .publish import rollback as rollback
    from .run import (
        DEMO_POLICY as DEMO_POLICY,
    )
    from .run import (
        DemoFiles as DemoFiles,
    )
    from .run import (
        SiteHistory as SiteHistory,
    )
    from .run import (
        build_site as build_site,
    )
    from .run import (
        demo_policy as demo_policy,
    )
    from .run import (
        write_demo as write_demo,
    )
    from .writeback import WriteBackRun as WriteBackRun
