"""Scoring rules of eval/DATASET-FORMAT.md on hand-made items and answers (no documents, no I/O)."""

from __future__ import annotations

from decimal import Decimal

from budgetqa.app.models import Answer, Figure
from budgetqa.eval.scoring import EvalItem, contains_phrase, key_phrase, score


def item(kind: str = "lookup", value=1184.83, unit: str | None = "万元", text: str = "1,184.83万元",
         tolerance: float | None = 0.01) -> EvalItem:
    return EvalItem(id="T1", doc="yanbian-industry-2023-final.txt", question="支出决算表中基本支出是多少？", kind=kind,
                    answer={"value": value, "unit": unit, "text": text}, tolerance=tolerance)


def fig(text: str, value: str, unit: str | None, verified: bool = True) -> Figure:
    return Figure(text=text, value=Decimal(value), unit=unit, verified=verified)


def answer(*figures: Figure, text: str = "", status: str | None = None) -> Answer:
    if status is None:
        status = "verified" if figures and all(f.verified for f in figures) else "partial" if figures else "unverified"
    return Answer(question="q", answer=text or "，".join(f.text for f in figures), status=status, figures=list(figures))


# ---------------------------------------------------------------- numeric


def test_first_figure_equal_to_gold_in_its_unit_is_right():
    s = score(item(), answer(fig("1,184.83万元", "1184.83", "万元")))
    assert (s.right, s.checker_failure, s.right_unverified) == (True, False, False)


def test_yuan_figure_for_wanyuan_gold_is_converted():
    assert score(item(), answer(fig("11,848,300元", "11848300", "元"))).right


def test_yiyuan_figure_for_wanyuan_gold_is_converted():
    assert score(item(value=21916.41), answer(fig("2.191641亿元", "2.191641", "亿元"))).right


def test_same_digits_in_the_wrong_money_unit_are_wrong():
    s = score(item(), answer(fig("1,184.83元", "1184.83", "元", verified=False)))
    assert not s.right


def test_figure_without_unit_for_a_gold_with_unit_is_wrong():
    assert not score(item(), answer(fig("1,184.83", "1184.83", None, verified=False))).right


def test_count_units_never_convert():
    gold = item(kind="performance", value=103, unit="人", text="103人", tolerance=0)
    assert score(gold, answer(fig("103人", "103", "人"))).right
    assert not score(gold, answer(fig("103个", "103", "个", verified=False))).right


def test_renci_counts_as_ren_like_the_fact_store():
    gold = item(kind="performance", value=700, unit="人", text="700人次（指标值≥500人次）", tolerance=0)
    assert score(gold, answer(fig("700人次", "700", "人次"))).right


def test_gold_without_unit_compares_the_value_only():
    gold = item(kind="performance", value=280, unit=None, text="=280期", tolerance=0)
    assert score(gold, answer(fig("280期", "280", "期"))).right


def test_tolerance_is_inclusive_and_absolute():
    assert score(item(), answer(fig("1,184.84万元", "1184.84", "万元"))).right
    assert not score(item(), answer(fig("1,184.85万元", "1184.85", "万元"))).right


def test_tolerance_applies_after_unit_conversion():
    # 11,848,400元 = 1,184.84万元: inside ±0.01万元; 11,848,500元 = 1,184.85万元: outside.
    assert score(item(), answer(fig("11,848,400元", "11848400", "元"))).right
    assert not score(item(), answer(fig("11,848,500元", "11848500", "元"))).right


def test_only_the_first_figure_is_the_answer():
    s = score(item(), answer(fig("1,987.35万元", "1987.35", "万元"), fig("1,184.83万元", "1184.83", "万元")))
    assert not s.right and s.figure == "1,987.35万元 ✓"


def test_not_found_on_a_numeric_item_is_wrong():
    assert not score(item(), answer(status="not_found", text="文件未提供")).right


def test_verified_wrong_first_figure_is_a_checker_failure():
    s = score(item(kind="compare", value=15.49, text="差旅费最多，15.49万元"), answer(fig("10.39万元", "10.39", "万元")))
    assert (s.right, s.checker_failure) == (False, True)


def test_unverified_wrong_figure_is_wrong_but_no_checker_failure():
    s = score(item(), answer(fig("86.92 分", "86.92", "分", verified=False)))
    assert (s.right, s.checker_failure) == (False, False)


def test_verified_figure_in_the_wrong_unit_is_a_checker_failure():
    s = score(item(kind="arithmetic", value=19.56), answer(fig("3.3分", "3.3", "分")))
    assert (s.right, s.checker_failure) == (False, True)


def test_right_but_unverified_is_counted():
    s = score(item(kind="narrative", value=346.26), answer(fig("346.26 万元", "346.26", "万元", verified=False)))
    assert (s.right, s.right_unverified, s.checker_failure) == (True, True, False)


# ---------------------------------------------------------------- text


def test_key_phrase_is_the_first_clause_of_the_gold_text():
    assert key_phrase("4辆，全部为机要通信用车") == "4辆"
    assert key_phrase("10个（另设机关党委）") == "10个"
    assert key_phrase("受疫情影响2022年的等保测评推迟到2023年才完成，2023年用2022年结转资金支付") == \
        "受疫情影响2022年的等保测评推迟到2023年才完成"


def test_key_phrase_matches_across_spaces_and_punctuation():
    assert contains_phrase("截至 2023 年底，本单位共有车辆 4 辆，均为机要通信用车。", "4辆")


def test_key_phrase_number_must_not_be_part_of_a_longer_number():
    assert not contains_phrase("共有车辆14辆。", "4辆")


def test_key_phrase_matches_when_most_bigrams_are_present():
    # 18 of the phrase's 23 distinct bigrams are present (0.78 ≥ 0.7)
    assert contains_phrase("受疫情影响，2022 年系统等保测评推延至 2023 年才完成", "受疫情影响2022年的等保测评推迟到2023年才完成")


def test_key_phrase_does_not_match_with_few_bigrams():
    assert not contains_phrase("项目绩效自评得分为 86.92 分。", "受疫情影响2022年的等保测评推迟到2023年才完成")


def test_text_item_scored_by_key_phrase():
    gold = item(kind="text", value=4, unit=None, text="4辆，全部为机要通信用车", tolerance=0)
    assert score(gold, answer(text="截至2023年底共有4辆车，均为机要通信用车。", status="unverified")).right
    assert not score(gold, answer(text="文件未提供", status="not_found")).right


# ---------------------------------------------------------------- unanswerable


def test_unanswerable_not_found_without_figures_is_right():
    gold = item(kind="unanswerable", value=None, unit=None, text="文件未提供", tolerance=None)
    s = score(gold, answer(status="not_found", text="文件未提供：本文件为2023年度决算"))
    assert (s.right, s.checker_failure) == (True, False)


def test_unanswerable_with_a_verified_figure_is_wrong_and_a_checker_failure():
    gold = item(kind="unanswerable", value=None, unit=None, text="文件未提供", tolerance=None)
    s = score(gold, answer(fig("2,212.66万元", "2212.66", "万元"), status="not_found"))
    assert (s.right, s.checker_failure) == (False, True)


def test_unanswerable_answered_with_unverified_figures_is_wrong_but_no_checker_failure():
    gold = item(kind="unanswerable", value=None, unit=None, text="文件未提供", tolerance=None)
    s = score(gold, answer(fig("0.62 万元", "0.62", "万元", verified=False)))
    assert (s.right, s.checker_failure) == (False, False)
