"""「比上年增加 X 万元」 against what the document itself says of the year before, where no table prints
it (audit/changes.py), and a change against the parts it is broken into (audit/breakdown.py).

Each true positive is a real fixture with the one printed phrase the test names changed (the slip a
reviewer would have to catch); each clean case is the real text as printed.
"""

from __future__ import annotations

from decimal import Decimal

from budgetqa.app.audit import audit
from budgetqa.ingest.models import Document
from tests.conftest import edited_doc, fixture_doc

D = Decimal
doc, edited = fixture_doc, edited_doc


def errors(d: Document, *checks: str):
    return [f for f in audit(d) if f.check in checks and f.severity == "error"]


# ---------------------------------------------------------------- the base the sentence names


def test_a_change_from_a_zero_base_is_the_whole_of_this_years_figure():
    # 珠海: 「委托业务费3.83万元，比上年增加3.83万元，增长--（基数为0，不可比）」
    name = "d03-p6-21-zero-base.pdf"
    assert not errors(doc(name), "prose.change_base")
    [f] = errors(edited(name, "比上年增加3.83万元", "比上年增加4.10万元"), "prose.change_base")
    assert (f.a_value, f.b_value) == (D("4.10"), D("3.83"))
    assert "基数为0" in f.message and "3.83" in f.a.sentence


def test_this_years_figure_off_a_zero_base_is_caught_too():
    [f] = errors(edited("d03-p6-21-zero-base.pdf", "委托业务费3.83万元", "委托业务费4.10万元"), "prose.change_base")
    assert (f.a_value, f.b_value) == (D("3.83"), D("4.10"))


def test_an_increase_larger_than_this_years_figure_is_impossible():
    # 延边政府办: 「机关运行经费财政拨款预算 122.8 万元，比 2022 年预算减少 57.24 万元」 is fine as printed
    name = "yanbian-govoffice-2023-budget.txt"
    assert not errors(doc(name), "prose.change_base")
    [f] = errors(edited(name, "比 2022 年预算减少 57.24 万元", "比 2022 年预算增加 157.24 万元"), "prose.change_base")
    assert (f.a_value, f.b_value) == (D("157.24"), D("122.8"))
    assert "上年数将为负" in f.message


def test_a_percentage_is_the_change_over_the_year_before_it_implies():
    # 襄垣: 「机关运行经费支出77.80万元，比2022年增加49.93万元，增长179.15%」: 49.93 / (77.80 − 49.93) = 179.15%
    # (under the 机关运行经费 heading, which no table describes)
    name = "xiangyuan-industry-2023-final.txt"
    assert not errors(doc(name), "prose.change_pct")
    [f] = errors(edited(name, "增长179.15%", "增长169.15%"), "prose.change_pct")
    assert (f.a_value, f.b_value) == (D("169.15"), D("179.15"))


def test_only_a_figure_of_zero_falls_by_a_hundred_percent():
    # 西南大学: 「机构运行（2060201），2023 年度决算数为 828.72 万元，比 2022 年度决算数减少 1.76%」
    name = "swu-university-2023-final.pdf"
    assert not errors(doc(name), "prose.change_base")
    [f] = errors(edited(name, "决算数减少 1.76%", "决算数减少 100%"), "prose.change_base")
    assert f.b_value == D("828.72") and "下降 100% 则本年应为 0" in f.message


# ---------------------------------------------------------------- the same change stated twice


def test_the_same_figure_cannot_grow_and_shrink_by_the_same_amount():
    # 万里街道: 财政拨款收入 and 财政拨款支出 18,976.76 万元 are each 「比2024年预算增加3,355.65万元」, three times
    name = "putuo-wanli-2025-budget.pdf"
    assert not errors(doc(name), "prose.change_agree")
    d = edited(name, "财政拨款收入18,976.76万元，比2024年预算增加3,355.65万元",
               "财政拨款收入18,976.76万元，比2024年预算减少3,355.65万元")
    [f] = errors(d, "prose.change_agree")
    assert "财政拨款收入" in f.a.sentence and "支出" in f.b.sentence  # the odd one out, against one that agrees
    assert (f.a_value, f.b_value) == (D("-3355.65"), D("3355.65"))


def test_the_same_figure_cannot_change_by_two_amounts():
    # 江苏省检察院: 一般公共预算 21,940.96 万元 「与上年相比增加 3,959.28 万元」 (p23) and 「增加 3,958.98 万元」 (p28)
    [f] = [f for f in audit(doc("d06-p23-28-two-changes.pdf")) if f.check == "prose.change_agree"]
    assert f.severity == "warning" and {f.a_value, f.b_value} == {D("3958.98"), D("3959.28")}


def test_a_flip_is_caught_against_the_same_change_written_a_digit_apart():
    # 西安市委宣传部 states 住房公积金（2210201）192.99 万元 「较上年增加 15.96 万元」 and, a page on, 「增加 15.95 万元」
    name = "d12-p7-8-24-two-lists.pdf"
    assert not [f for f in audit(doc(name)) if f.check == "prose.change_agree"]
    [f] = errors(edited(name, "192.99 万元，较上年增加 15.96", "192.99 万元，较上年减少 15.96"), "prose.change_agree")
    assert {f.a_value, f.b_value} == {D("-15.96"), D("15.95")}  # two statements: either may be the slip
    assert "减少 15.96" in f.a.sentence + f.b.sentence


# ---------------------------------------------------------------- the 三公 items


def test_the_sangong_items_changes_add_up_to_the_whole_across_paragraphs():
    # 万里街道: 三公 减少 10 = 出国 持平 + 车辆 减少 10 + 接待 持平, in three paragraphs
    name = "putuo-wanli-2025-budget.pdf"
    assert not errors(doc(name), "prose.sangong_changes")
    [f] = errors(edited(name, "37.91万元，比2024年预算减少10万元", "37.91万元，比2024年预算增加10万元"),
                 "prose.sangong_changes")
    assert "37.91" in f.a.sentence and "方向相反" in f.message


def test_the_item_whose_direction_breaks_the_sum_is_the_one_reported():
    # 延边政府办: 三公 增加 7.05 = 出国 相等 + 接待 减少 0.15 + 车辆 增加 7.2
    name = "yanbian-govoffice-2023-budget.txt"
    assert not errors(doc(name), "prose.sangong_changes")
    [f] = errors(edited(name, "预算数减少 0.15 万元", "预算数增加 0.15 万元"), "prose.sangong_changes")
    assert "0.15" in f.a.sentence and "公务接待费" in f.message


def test_a_vehicle_part_is_blamed_when_the_vehicle_total_agrees_with_the_whole():
    # 车辆 增加 7.2 = 购置 相等 + 运行维护 增加 7.2; the 三公 sum vouches for 车辆's 7.2, so the 运行 line is the slip
    d = edited("yanbian-govoffice-2023-budget.txt", "增加 7.2 万元，主要原因：从公用经费", "减少 7.2 万元，主要原因：从公用经费")
    [f] = errors(d, "prose.sangong_changes")
    assert "从公用经费" in f.a.sentence and "公务用车运行维护费" in f.message


# ---------------------------------------------------------------- a change and its parts


def test_a_part_described_at_length_still_counts_in_the_change():
    # 重庆: 「…增加 2,781.90 万元。其中：基本支出 9,018.47 万元，主要用于…，比2025 年增加 362.10 万元…；
    # 项目支出 9,399.23 万元，…比 2025 年增加 2,419.80 万元」
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not errors(doc(name), "prose.change_parts")
    [f] = errors(edited(name, "比2025 年增加 362.10 万元", "比2025 年减少 362.10 万元"), "prose.change_parts")
    assert "基本支出" in f.message and (f.a_value, f.b_value) == (D("362.10"), D("2781.90"))


def test_a_list_of_parts_runs_on_past_a_full_stop():
    # 西安气象: 「较上年增加 406.39 万元，其中基本支出减少 19.11 万元，主要是减少在职人员 1 名。专项业务经费增加 425.5 万元」
    name = "d11-p8-9-19-change-parts.pdf"
    assert not errors(doc(name), "prose.change_parts")
    [f] = errors(edited(name, "其中基本支出减少 19.11", "其中基本支出增加 19.11"), "prose.change_parts")
    assert "基本支出" in f.message


def test_parts_making_a_whole_set_must_add_up_to_the_change():
    # 基本支出 + 专项业务经费 are the whole budget: −19.11 + 425.5 = 406.39
    d = edited("d11-p8-9-19-change-parts.pdf", "2022 年一般公共预算较上年增加 406.39", "2022 年一般公共预算较上年增加 434.84")
    [f] = errors(d, "prose.change_parts")
    assert (f.a_value, f.b_value) == (D("434.84"), D("406.39"))


def test_a_change_broken_into_the_four_sangong_items_keeps_its_direction():
    # 黑龙江: 「省本级“三公”经费减少 2761 万元，其中，因公出国（境）费减少 167 万元，…公务接待费减少 540 万元」
    name = "d14-p25-154-sangong-change.pdf"
    assert not errors(doc(name), "prose.change_parts")
    [f] = errors(edited(name, "“三公”经费减少 2761", "“三公”经费增加 2761"), "prose.change_parts")
    assert "方向相反" in f.message


def test_parts_named_after_the_direction_word_count_too():
    # 襄垣: 「增加49.93万元，增长179.15%，主要原因工业和信息化局增加专项业务经费36.947908万元，中小企业服务中心
    # 运行经费增加2.9523万元，商务中心运行经费增加10.0333万元」: 36.947908 + 2.9523 + 10.0333 = 49.93
    name = "xiangyuan-industry-2023-final.txt"
    assert not errors(doc(name), "prose.change_parts")
    [f] = errors(edited(name, "运行经费增加2.9523万元", "运行经费减少2.9523万元"), "prose.change_parts")
    assert "2.9523" in f.message


def test_the_four_sangong_items_are_the_whole_of_its_change():
    # 167 + 1105 + 949 + 540 = 2761: the four items are all of 三公, so a part read 179 breaks the sum
    d = edited("d14-p25-154-sangong-change.pdf", "因公出国（境）费减少 167", "因公出国（境）费减少 179")
    [f] = errors(d, "prose.change_parts")
    assert (f.a_value, f.b_value) == (D("-2761"), D("-2773"))


def test_a_percentage_may_follow_the_figure_a_sentence_later():
    # 江苏省检察院 p24: 「此外，基本支出预算数为 13,994.31 万元。与上年相比增加 1,670.85 万元，增长 13.56 %」
    name = "d06-p13-14-24-spending-uses.pdf"
    assert not errors(doc(name), "prose.change_pct")
    [f] = errors(edited(name, "基本支出预算数为 13,994.31", "基本支出预算数为 13,294.31"), "prose.change_pct")
    assert (f.a_value, f.b_value) == (D("13.56"), D("14.37"))  # 1,670.85 / (13,294.31 − 1,670.85)


# ---------------------------------------------------------------- the reason given for a change


def test_a_reason_pointing_against_its_change_is_a_warning():
    # 重庆市政府办公厅 2026 p4: 「运行经费 1,815 万元，比 2025 年增加 21.99万元，主要原因为在职人员较去年有所增加」
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not [f for f in audit(fixture_doc(name)) if f.check == "prose.reason_direction"]
    doc = edited_doc(name, "比 2025 年增加 21.99万元", "比 2025 年减少 21.99万元")
    [f] = [f for f in audit(doc) if f.check == "prose.reason_direction"]
    assert (f.severity, f.a_value) == ("warning", Decimal("21.99")) and "「增加」" in f.message


def test_a_reason_for_a_change_written_as_a_percentage_is_read_too():
    # 烟台市审计局 2026 p28: 「机关运行经费安排210.32万元，比上年1.43万元，增加0.68%。主要原因是人员增加。」
    name = "d13-p25-28-procurement.pdf"
    assert not [f for f in audit(fixture_doc(name)) if f.check == "prose.reason_direction"]
    doc = edited_doc(name, "比上年1.43万元，增加0.68%", "比上年1.43万元，减少0.68%")
    [f] = [f for f in audit(doc) if f.check == "prose.reason_direction"]
    assert (f.severity, f.a_value) == ("warning", Decimal("0.68")) and "「增加」" in f.message


def test_holding_spending_down_is_a_reason_for_less():
    # 延边州政府办 2023: 「比 2022 年预算减少 57.24 万元，主要原因是严格控制机关运行经费，杜绝铺张浪费」
    name = "yanbian-govoffice-2023-budget.txt"
    assert not [f for f in audit(fixture_doc(name)) if f.check == "prose.reason_direction"]
    doc = edited_doc(name, "比 2022 年预算减少 57.24 万元", "比 2022 年预算增加 57.24 万元")
    [f] = [f for f in audit(doc) if f.check == "prose.reason_direction"]
    assert f.a_value == Decimal("57.24") and "「严格控制」" in f.message


def test_a_reason_weighing_two_things_says_no_direction():
    # 普陀区万里街道 2025: 「减少10万元，主要原因是2025年新增1辆公务用车购置，但与2024年购置的车辆类型不同」
    name = "putuo-wanli-2025-budget.pdf"
    assert not [f for f in audit(fixture_doc(name)) if f.check == "prose.reason_direction"]
