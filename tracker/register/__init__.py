"""The register in and out: sources (.xlsx, CSV folders, Google Sheets), the raw sheet types, the contract of tabs and
columns (``schemas/register.yaml``), finding each tab's header and columns (``layout``), writers, the blank template
and restoring a snapshot as a workbook. Reads cells, never judges them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "Cell": "sheets", "Column": "contract", "Contract": "contract", "county_contract": "county_aliases",
    "create_template": "template", "DateOrder": "contract", "FileNote": "sheets", "GoogleSheetSource": "gsheet",
    "load_contract": "contract", "locate": "layout", "locate_all": "layout", "LocatedTable": "layout",
    "open_source": "sources", "RawColumn": "encoded", "RawRegister": "sheets", "RawSheet": "sheets",
    "read_csv_file": "csv_read", "read_table_file": "tabular", "Reference": "contract", "reshape": "shapes",
    "restore_register": "restore", "RESULT_TAB": "gsheet", "Shape": "sheets", "sheet_key": "gsheet",
    "SheetData": "sheets", "skip_reason": "tabular", "Tab": "contract", "Unique": "contract",
    "UniqueAcross": "contract", "with_aliases": "county_aliases", "WorkbookSource": "sources",
    "write_register": "writers", "XlsxSource": "sources"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .contract import (
        Column as Column,
    )
    from .contract import (
        Contract as Contract,
    )
    from .contract import (
        DateOrder as DateOrder,
    )
    from .contract import (
        Reference as Reference,
    )
    from .contract import (
        Tab as Tab,
    )
    from .contract import (
        Unique as Unique,
    )
    from .contract import (
        UniqueAcross as UniqueAcross,
    )
    from .contract import (
        load_contract as load_contract,
    )
    from .county_aliases import county_contract as county_contract
    from .county_aliases import with_aliases as with_aliases
    from .csv_read import read_csv_file as read_csv_file
    from .encoded import RawColumn as RawColumn
    from .gsheet import RESULT_TAB as RESULT_TAB
    from .gsheet import GoogleSheetSource as GoogleSheetSource
    from .gsheet import sheet_key as sheet_key
    from .layout import LocatedTable as LocatedTable
    from .layout import locate as locate
    from .layout import locate_all as locate_all
    from .restore import restore_register as restore_register
    from .shapes import reshape as reshape
    from .sheets import Cell as Cell
    from .sheets import FileNote as FileNote
    from .sheets import RawRegister as RawRegister
    from .sheets import RawSheet as RawSheet
    from .sheets import Shape as Shape
    from .sheets import SheetData as SheetData
    from .sources import WorkbookSource as WorkbookSource
    from .sources import XlsxSource as XlsxSource
    from .sources import open_source as open_source
    from .tabular import read_table_file as read_table_file
    from .tabular import skip_reason as skip_reason
    from .template import create_template as create_template
    from .writers import write_register as write_register
