"""A region's 收支总表 (总决算 2.2, 3.2 …): the transfers it received or paid add up.

上级补助收入 = 返还性收入 + 一般性转移支付收入 + 专项转移支付收入 (补助下级支出 likewise on the 支出 side),
and each of the three is the lines printed under it: 返还性 and 一般性 up to the next of the three, 专项 up
to its 其他收入 / 其他支出 line. Nothing but the template's names says so (the lines are not numbered nor
coded), so a side is only held to the block when all four names are printed in that order.
"""

from __future__ import annotations

from budgetqa.app.audit.model import AuditResult
from budgetqa.app.audit.quantities import amount_columns, cell_qty, compare, sum_qty
from budgetqa.ingest.models import Document, Table

_BLOCKS = {
    "收入": ("上级补助收入", ("返还性收入", "一般性转移支付收入", "专项转移支付收入"), "其他收入"),
    "支出": ("补助下级支出", ("返还性支出", "一般性转移支付支出", "专项转移支付支出"), "其他支出"),
}


def check_transfers(doc: Document, table: Table, result: AuditResult) -> None:
    if table.side not in _BLOCKS or not amount_columns(table):
        return
    head_name, part_names, last_name = _BLOCKS[table.side]
    rows, names = table.rows, [r.label for r in table.rows]
    if head_name not in names or any(p not in names for p in part_names):
        return
    head, at = names.index(head_name), [names.index(p) for p in part_names]
    if not head < at[0] < at[1] < at[2]:
        return
    col = amount_columns(table)[0]
    groups = [(rows[head], [rows[i] for i in at], "其下三类之和")]
    for k in (0, 1):
        groups.append((rows[at[k]], rows[at[k] + 1: at[k + 1]], ""))
    end = next((i for i in range(at[2] + 1, len(rows)) if names[i] == last_name), None)
    if end is not None:
        groups.append((rows[at[2]], rows[at[2] + 1: end + 1], ""))
    for parent, members, what in groups:
        if len(members) < 2 or parent.cells.get(col) is None:
            continue
        a = cell_qty(doc, table, parent, col)
        b = sum_qty(doc, table, members, [col], None, col, what or f"其下 {len(members)} 项之和")
        compare(result, "table.transfers", f"{parent.label}=Σ", a, b, lambda: f"「{a.loc.table}」{parent.label}应等于其下所列各项之和")
