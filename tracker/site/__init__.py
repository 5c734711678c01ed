"""The site: view models built from the validated register and the rule outcome (templates never see raw cells), pages
rendered from ``site/templates``, dashboards, checklists, charts, and the build with mkdocs-material (the theme
around the pages) and the page jobs that render and encrypt on every core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "build_site_model": "views", "fill_site": "build", "GUIDE_PAGES": "render", "NavEntry": "build", "Page":
    "pages", "plan_pages": "render", "Planned": "render", "render_checklists": "render", "RenderContext": "render",
    "rendered_and_encrypted": "page_jobs", "SiteModel": "views", "skeleton_pages": "build", "SkeletonJob": "build"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .build import (
        NavEntry as NavEntry,
    )
    from .build import (
        SkeletonJob as SkeletonJob,
    )
    from .build import (
        fill_site as fill_site,
    )
    from .build import (
        skeleton_pages as skeleton_pages,
    )
    from .page_jobs import rendered_and_encrypted as rendered_and_encrypted
    from .pages import Page as Page
    from .render import (
        GUIDE_PAGES as GUIDE_PAGES,
    )
    from .render import (
        Planned as Planned,
    )
    from .render import (
        RenderContext as RenderContext,
    )
    from .render import (
        plan_pages as plan_pages,
    )
    from .render import (
        render_checklists as render_checklists,
    )
    from .views import SiteModel as SiteModel
    from .views import build_site_model as build_site_model
