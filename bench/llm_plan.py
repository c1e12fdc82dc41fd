"""The LLM path measured with scripted plan models over the labeled sets (no network, no real model).

Run by hand:  python bench/llm_plan.py [--sets dev dev-newuser] [--models echo value_op ...]

Each model answers the plan request from the prompt it is shown, as a tool call:
- echo: the parser's own plan (the prompt's hint). The LLM path should then answer as grounded
  mode does (same status, same first figure), or fall back to it.
- value_op: the op replaced by a plain value of the first operand (執行率 / 差额 / 占比 ignored);
- other_row: each named row replaced by another row of the candidate cells;
- extra_role: 财政拨款 added to every operand's column roles;
- swap: the operands in reverse order (subtrahend first, whole before part);
- first_part: only the first part of a multi-part question;
- foreign_id: every operand pinned to a fact id that was not shown;
- wrong_pin: every operand pinned to a candidate cell of another row.
Printed per model and set: right (the eval's scoring), checker failures (a wrong figure shown ✓),
answers equal to grounded mode's, answers from the model's plan (mode llm), and fallbacks by cause.
The target: 0 checker failures for every model; echo equal to grounded on (nearly) every item.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatResult  # noqa: E402

from budgetqa.app.service import Service  # noqa: E402
from budgetqa.app.settings import get_settings  # noqa: E402
from budgetqa.eval.runner import ensure_documents  # noqa: E402
from budgetqa.eval.scoring import load_items, score  # noqa: E402
from tests.scripted import ScriptedChatModel  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
CORPUS = ROOT.parent / "shared" / "corpus"
_HINT = re.compile(r"【解析器的理解】\n(.*?)\n\n问题：", re.S)
_FACT = re.compile(r"^(\S+) \| [^|]+ \| (?:\d+ )?([^|]+?) \| ", re.M)


def _value_op(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        if q.get("op") not in ("value", "prose", "why", "audit"):
            q["op"], q["operands"] = "value", q.get("operands", [])[:1]
    return plan


def _other_row(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        for r in q.get("operands", []):
            if r.get("row"):
                r["row"] = next((row for _, row in facts if row.strip() != r["row"]), r["row"])
                r.pop("code", None)
    return plan


def _extra_role(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        for r in q.get("operands", []):
            r["columns"] = list(dict.fromkeys(r.get("columns", []) + ["财政拨款"]))
    return plan


def _foreign_id(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        for r in q.get("operands", []):
            r["fact_id"] = "0000000000ff-t0-r0-c0"
    return plan


def _wrong_pin(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        for r in q.get("operands", []):
            other = next((fid for fid, row in facts if row.strip() not in (r.get("row"), r.get("concept"))), None)
            if other:
                r["fact_id"] = other
    return plan


def _swap(plan: dict, facts: list[tuple[str, str]]) -> dict:
    for q in plan["queries"]:
        q["operands"] = q.get("operands", [])[::-1]
    return plan


def _first_part(plan: dict, facts: list[tuple[str, str]]) -> dict:
    plan["queries"] = plan["queries"][:1]
    return plan


MODELS = {"echo": lambda plan, facts: plan, "value_op": _value_op, "other_row": _other_row,
          "extra_role": _extra_role, "swap": _swap, "first_part": _first_part, "foreign_id": _foreign_id,
          "wrong_pin": _wrong_pin}


class PlanModel(ScriptedChatModel):
    """Answers each plan request with the prompt's own hint, changed by `change`."""

    change: str = "echo"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        prompt = "\n".join(str(m.content) for m in messages)
        m = _HINT.search(prompt)
        plan = json.loads(m.group(1)) if m else {"queries": []}
        plan = MODELS[self.change](plan, _FACT.findall(prompt))
        tools = kwargs.get("tools")
        name = tools[0]["function"]["name"] if tools else "QuestionPlan"
        message = AIMessage(content="", tool_calls=[{"name": name, "args": plan, "id": "call_1"}])
        return ChatResult(generations=[ChatGeneration(message=message)])


def _same(a, b) -> bool:
    first = lambda x: (x.figures[0].text, x.figures[0].verified) if x.figures else None  # noqa: E731
    return a.status == b.status and first(a) == first(b)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["dev", "dev-newuser"])
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--show", action="store_true", help="print each fallback's notice")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="llm-plan-"))
    svc = Service(get_settings(home, llm={"phrase": False, "budget": 30}), dense=False)
    for name in args.sets:
        items = load_items(EVAL / f"{name}.jsonl")
        ids, _ = ensure_documents(svc, [i.doc for i in items], CORPUS)
        items = [i for i in items if i.doc in ids]
        svc._llm = None
        base = {i.id: svc.ask(i.question, doc_ids=[ids[i.doc]]) for i in items}
        right = sum(score(i, base[i.id]).right for i in items)
        fails = sum(score(i, base[i.id]).checker_failure for i in items)
        print(f"{name}: {len(items)} items; grounded: right {right}, checker failures {fails}")
        for change in args.models:
            svc._llm = PlanModel(tools=True, change=change)
            t0 = time.perf_counter()
            right = fails = same = llm = 0
            causes: Counter = Counter()
            for i in items:
                a = svc.ask(i.question, doc_ids=[ids[i.doc]])
                s = score(i, a)
                right += s.right
                fails += s.checker_failure
                if s.checker_failure:
                    print(f"    wrong ✓: {i.id} {i.question} → {a.answer[:160]}")
                same += _same(a, base[i.id])
                if args.show and not _same(a, base[i.id]):
                    print(f"    differs: {i.id} {i.question} → {a.status} {a.answer[:80]} (grounded: {base[i.id].status})")
                llm += a.mode == "llm"
                for n in a.notices:
                    if n.endswith("已改用基于表格的核验模式回答。"):
                        causes[n.split("（")[0]] += 1
                        if args.show:
                            print(f"    {i.id} {i.question} → {n}")
            secs = (time.perf_counter() - t0) / max(1, len(items))
            print(f"  {change:11s} right {right:3d}  checker failures {fails}  same as grounded {same:3d}  "
                  f"from the model's plan {llm:3d}  {secs * 1000:.0f} ms/item  fallbacks {dict(causes)}")
    svc.close()


if __name__ == "__main__":
    main()
