"""The 情况说明's shares, totals, 三公 items, completion rates and broken-down changes, read against the
tables and against each other (audit/shares.py, audit/breakdown.py, audit/prose.py).

Each true positive is a real fixture, or a real fixture with the one printed phrase the test names
changed (the contradiction a reviewer would have to catch); each clean case is the real text as printed.
"""

from __future__ import annotations

from decimal import Decimal

from budgetqa.app import measures
from budgetqa.app.audit import audit
from budgetqa.ingest.models import Document
from tests.conftest import edited_doc, fixture_doc

D = Decimal
doc, edited = fixture_doc, edited_doc


def of(d: Document, *checks: str):
    return [f for f in audit(d) if f.check in checks]


SHARES = ("prose.share", "items.share")


# ---------------------------------------------------------------- shares


def test_a_share_naming_its_whole_is_recomputed_from_that_tables_figure():
    # 朝阳: 「基本支出 1163.03 万元，占支出总计的 82.29%」 holds against the 收入支出决算总表 (1,413.38)
    assert not of(doc("chaoyang-industry-2023-final.txt"), *SHARES)
    d = edited("chaoyang-industry-2023-final.txt", "占支出总计的 82.29%", "占支出总计的 85.29%")
    [f] = of(d, *SHARES)
    assert (f.severity, f.a_value, f.b_value) == ("error", D("85.29"), D("82.29"))
    assert f.b.sentence is None and f.b.table is not None  # the whole's own cell is cited


def test_a_share_whose_whole_no_table_states_is_not_guessed():
    d = edited("chaoyang-industry-2023-final.txt", "占支出总计的 82.29%", "占政府采购支出总额的 85.29%")
    assert not of(d, *SHARES)


def test_a_share_of_the_sangong_is_of_the_one_row_sangong_tables_total():
    # 无锡市信访局 2025 p32: 「因公出国（境）费支出 0 万元，占“三公”经费的 0%；…公务接待费支出 1.5 万元，占“三公”
    # 经费的 100%」; 公开09表 (p21) prints one row, 「“三公”经费合计 1.50 │ 因公出国（境）费 0.00 │ … │ 公务接待费
    # 1.50 │ 会议费 │ 培训费」, no 预算数 column. The two parts written 0 are nothing: the list's own sum is
    # 1.5 exactly, not 1.5 give or take a 万元
    name = "d05-p21-32-sangong-shares.pdf"
    assert not of(doc(name), *SHARES)
    [f] = of(edited(name, "1.5 万元，占“三公”经费的 100%", "1.5 万元，占“三公”经费的 90%"), *SHARES)
    # the share recomputed: 1.5 of 1.50 is 100% (to the written 1.5's precision), against the table's cell
    assert (f.a_value, f.b_value, f.b.column) == (D("90"), D("100.01"), "“三公”经费合计")


def test_a_share_in_a_list_is_of_the_figure_the_list_hangs_from():
    # 普陀社工部: 「本年支出合计 307.82 万元，其中：基本支出 105.58 万元，占34.30%；项目支出 202.24 万元，占 65.70%」
    assert not [f for f in of(doc("putuo-socialwork-2024-final.pdf"), *SHARES) if f.severity == "error"]
    d = edited("putuo-socialwork-2024-final.pdf", "占34.30%", "占37.30%")
    [f] = [f for f in of(d, *SHARES) if f.severity == "error"]
    assert (f.a_value, f.b_value) == (D("37.30"), D("34.30"))  # 105.58 / 307.82


def test_a_list_without_a_lead_figure_is_checked_against_its_own_sum():
    # 湖州: 「人员支出 1487.48 万元，占23.8%；日常公用支出 116.93 万元，占 1.9%；项目支出4651.90 万元，占 74.4%」
    name = "d08-p5-19-shares-without-lead.pdf"
    assert not of(doc(name), *SHARES)
    d = edited(name, "日常公用支出 116.93 万元，占 1.9%", "日常公用支出 116.93 万元，占 4.9%")
    [f] = of(d, *SHARES)
    assert (f.severity, f.a_value, f.b_value) == ("error", D("4.9"), D("1.87"))  # 116.93 / 6,256.31
    assert "各项之和 6256.31" in f.message


def test_a_list_runs_on_across_a_page_break():
    # 无锡: 「…本年一般公共预算收入 2,723.94 万元，占 94.98%；…」 | page 28 「…本年其他收入 144 万元，占 5.02%；…」
    name = "d05-p27-28-21-zero-shares.pdf"
    assert not of(doc(name), *SHARES)
    d = edited(name, "占 94.98%", "占 97.98%")
    [f] = of(d, *SHARES)
    assert (f.a_value, f.b_value) == (D("97.98"), D("94.98"))  # 2,723.94 / (2,723.94 + 144)


def test_parts_printing_zero_do_not_vouch_for_a_sum():
    # with the one other nonzero part taken out, 0 万元 占 0% agrees with any whole: no sum is trusted
    d = edited("d05-p27-28-21-zero-shares.pdf", "本年其他收入 144 万元，占 5.02%；", "")
    assert not of(d, *SHARES)


def test_shares_forced_to_add_to_100_are_reported_and_said_so():
    # 延边州工信局 五(二): 住房公积金 76.27 of the list's 2,212.66 is 3.45%; printed 3.3% so the list adds to 100%
    [f] = of(doc("yanbian-industry-2023-final.txt"), *SHARES)
    assert (f.severity, f.a_value, f.b_value) == ("error", D("3.3"), D("3.45"))
    assert "凑成合计 100%" in f.message


# ---------------------------------------------------------------- totals named in prose


def test_a_total_written_with_its_year_is_the_tables_total():
    # 襄垣: 「2023年度收入合计6,184.34万元，其中：」 is the 收入决算表 合计
    name = "xiangyuan-industry-2023-final.txt"
    assert not [f for f in of(doc(name), "prose.measure")]
    d = edited(name, "收入合计6,184.34万元", "收入合计6,617.24万元")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("6617.24"), D("6184.34"))


def test_a_fund_no_measure_is_kept_for_is_not_compared():
    # 襄垣: 「政府性基金预算财政拨款收入总计73.44万元、支出总计73.44万元」 is not the 财政拨款 总计 (5,998.11)
    assert not [f for f in of(doc("xiangyuan-industry-2023-final.txt"), "prose.measure") if f.a_value == D("73.44")]


# ---------------------------------------------------------------- 三公 items


def test_a_sangong_item_figure_is_the_budgets_own_year_row():
    # 重庆 表八 prints one row per year: 2025年预算数 │ 2026年预算数; 「公务接待费 10 万元」 is the 2026 row's
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not of(doc(name), "prose.sangong")
    d = edited(name, "公务接待费 10 万元", "公务接待费 12 万元")
    [f] = of(d, "prose.sangong")
    assert (f.a_value, f.b_value, f.b.row) == (D("12"), D("10.00"), "2026年预算数")


def test_the_headline_reader_takes_the_documents_own_year_row():
    d = doc("d02-p20-sangong-years.pdf")
    assert measures.resolve(d, measures.RULES["三公经费_预算数"]).value == D("394.49")
    assert measures.resolve(d, measures.RULES["公务用车运行维护费_预算数"]).value == D("200.00")


def test_a_sangong_item_with_a_bare_figure_in_a_budget_is_its_budget():
    # 无锡 2025: 「公务接待费预算支出 1.5 万元」 (p33 is not in the cut; the table p21 prints 公务接待费 1.50)
    d = doc("d05-p27-28-21-zero-shares.pdf")
    got = measures.resolve(d, measures.RULES["公务接待费_预算数"])
    assert got is not None and got.value == D("1.50")


# ---------------------------------------------------------------- completion rates


def test_a_completion_rate_written_without_de_is_recomputed():
    # 襄垣: 「一般公共服务支出年初预算191.454万元，支出决算252.522708万元，完成预算131.9%」
    name = "xiangyuan-industry-2023-final.txt"
    assert not [f for f in of(doc(name), "prose.completion") if f.severity == "error"]
    d = edited(name, "完成预算131.9%", "完成预算136.9%")
    [f] = [f for f in of(d, "prose.completion") if f.severity == "error"]
    assert (f.a_value, f.b_value) == (D("136.9"), D("131.90"))


def test_nothing_spent_is_no_share_of_any_budget():
    # 襄垣 三公: 「公务接待费支出0万元，完成全年预算的0%」, the budget given nowhere near it
    d = edited("xiangyuan-industry-2023-final.txt", "公务接待费支出0万元，完成全年预算的0%", "公务接待费支出0万元，完成全年预算的5%")
    [f] = [f for f in of(d, "prose.completion") if f.severity == "error"]
    assert (f.a_value, f.b_value) == (D("5"), D("0"))


def test_a_numbered_items_completion_rate_is_recomputed():
    # 延边州政务服务 3.: 「年初预算为 959.95 万元，支出决算为 746.79 万元，完成年初预算的 77.8%」
    name = "yanbian-govservice-2023-final.txt"
    assert not of(doc(name), "prose.completion")
    d = edited(name, "完成年初预算的 77.8%", "完成年初预算的 82.8%")
    [f] = of(d, "prose.completion")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("82.8"), D("77.79"))


# ---------------------------------------------------------------- a change broken into parts


def test_a_change_that_its_parts_add_up_to_is_clean():
    # 重庆: 「支出比 2025 年增加 2,784.38 万元，主要是基本支出增加 362.10 万元，项目支出增加 2,422.28 万元」
    assert not of(doc("d02-p3-4-15-16-20-changes-sangong.pdf"), "prose.change_parts")


def test_a_part_whose_direction_word_breaks_the_sum_is_named():
    d = edited("d02-p3-4-15-16-20-changes-sangong.pdf", "项目支出增加 2,422.28", "项目支出减少 2,422.28")
    [f] = of(d, "prose.change_parts")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("2422.28"), D("2784.38"))
    assert "项目支出减少 2,422.28 万元" in f.message


def test_a_change_whose_parts_add_up_to_its_opposite_is_an_error():
    d = edited("d02-p3-4-15-16-20-changes-sangong.pdf", "支出比 2025 年增加 2,784.38", "支出比 2025 年减少 2,784.38")
    [f] = of(d, "prose.change_parts")
    assert (f.a_value, f.b_value) == (D("2784.38"), D("2784.38"))
    assert "方向相反" in f.message


# ---------------------------------------------------------------- subjects named by code, class lists, income lines


def test_an_item_named_by_its_seven_digit_code_is_checked_against_that_row():
    # 泉州: 「（七）2210202-提租补贴 27.29万元」 is the 一般公共预算拨款支出预算表's 2210202 row
    name = "d10-p12-20-code-items.pdf"
    assert not of(doc(name), "items.row")
    d = edited(name, "2210202-提租补贴 27.29万元", "2210202-提租补贴 29.20万元")
    [f] = of(d, "items.row")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("29.20"), D("27.29"), "2210202 提租补贴")


def test_a_code_in_brackets_after_the_name_names_the_subject():
    # 西南大学: 「其他留学教育支出（2050699），2023 年度决算数为738.86 万元」, the 财政拨款支出决算表 (表4)
    name = "swu-university-2023-final.pdf"
    assert not [f for f in of(doc(name), "items.row") if f.severity == "error"]
    d = edited(name, "决算数为738.86 万元", "决算数为790.58 万元")
    [f] = of(d, "items.row")
    assert (f.a_value, f.b_value, f.b.row) == (D("790.58"), D("738.86"), "2050699 其他留学教育支出")


def test_a_list_of_function_classes_without_shares_is_checked_class_by_class():
    # 湖州 财政拨款 说明: 「支出包括：社会保障和就业支出 5756.51 万元、卫生健康支出 71.42 万元、住房保障支出 145.08 万元」;
    # the 支出 说明's 「1.按支出功能分类，包括社会保障和就业支出 6039.81万元…」 names no scope, and the cut holds no
    # all-funds table to read it against (表05 is 一般公共预算's 5,756.51): it is not compared
    name = "d08-p5-24-25-class-list.pdf"
    assert not [f for f in of(doc(name), "items.row") if f.severity != "rounding"]
    d = edited(name, "卫生健康支出 71.42 万元、住房保障支出 145.08 万元。", "卫生健康支出 71.42 万元、住房保障支出 155.24 万元。")
    assert not [f for f in of(d, "items.row") if f.severity != "rounding"]  # the all-funds paragraph: see below
    d = edited(name, "支出包括：社会保障和就业支出 5756.51 万元、卫生健康支出 71.42 万元、住房保障支出 145.08",
               "支出包括：社会保障和就业支出 5756.51 万元、卫生健康支出 71.42 万元、住房保障支出 155.24")
    [f] = of(d, "items.row")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("155.24"), D("145.08"), "221 住房保障支出")


def test_an_income_line_in_prose_is_the_overview_tables_line():
    # 烟台: 「2026年收入预算3,558.35万元，其中：一般公共预算收入2,776.75万元，其他收入781.6万元」
    name = "d13-p8-27-income-lines.pdf"
    assert not of(doc(name), "prose.measure")
    d = edited(name, "其他收入781.6万元", "其他收入836.3万元")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("836.3"), D("781.60"))


def test_a_figure_cut_from_a_finer_yuan_cell_is_rounding():
    # 西安气象: 「事业单位医疗（2101102）4.16 万元」; the 表5 cell is 41,651.4 元 = 4.16514 万元
    [f] = of(doc("d11-p11-22-cut-yuan-figure.pdf"), "items.row")
    assert (f.severity, f.a_value, f.b_value) == ("rounding", D("4.16"), D("4.165140"))


# ---------------------------------------------------------------- a change against the year before in the same table


def test_a_change_agreeing_with_the_tables_year_before_is_clean():
    # 重庆 表八 prints 2025年预算数 above 2026年预算数: 「公务用车运行维护费 200.00 万元，较 2025 年减少 2.48 万元」
    assert not of(doc("d02-p3-4-15-16-20-changes-sangong.pdf"), "prose.change_prior")


def test_a_change_pointing_against_the_tables_year_before_is_an_error():
    d = edited("d02-p3-4-15-16-20-changes-sangong.pdf", "较 2025 年减少 2.48 万元", "较 2025 年增加 2.48 万元")
    [f] = of(d, "prose.change_prior")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("2.48"), D("-2.48"), "2025年预算数")


def test_flat_against_a_table_that_moved_is_an_error():
    d = edited("d02-p3-4-15-16-20-changes-sangong.pdf", "公务用车运行维护费 200.00 万元，较 2025 年减少 2.48 万元",
               "公务用车运行维护费 200.00 万元，与 2025 年持平")
    [f] = of(d, "prose.change_prior")
    assert (f.a_value, f.b_value) == (D("0"), D("-2.48"))


def test_the_known_xian_slip_is_found_against_the_tables_own_prior_group():
    # 西安宣传部 2021: 「“三公”经费…较上年增加 9.49 万元」; its 三公 table prints 2020年 16.00 and 2021年 6.51
    [f] = of(doc("d12-p11-41-sangong.pdf"), "prose.change_prior")
    assert (f.a_value, f.b_value) == (D("9.49"), D("-9.49"))


def test_a_total_and_its_change_against_a_prior_year_column():
    # 重庆: 「一般公共预算财政拨款支出 18,417.70 万元，比 2025 年增加 2,781.90 万元」; 表 prints 2025年预算数 15,635.80
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    d = edited(name, "比 2025 年增加 2,781.90", "比 2025 年减少 2,781.90")
    [f] = of(d, "prose.change_prior")
    assert (f.a_value, f.b_value, f.b.column) == (D("-2781.90"), D("2781.90"), "2025年预算数")
    d = edited(name, "比 2025 年增加 2,781.90", "比 2025 年增加 2,718.90")
    [f] = of(d, "prose.change_prior")
    assert (f.a_value, f.b_value) == (D("2718.90"), D("2781.90"))


# ---------------------------------------------------------------- 大于 / 小于 a sentence after the figures


def test_the_final_word_a_sentence_after_the_figures_is_read_against_them():
    # 普陀社工部: 「全年预算为 52.00 万元，支出决算为 51.32 万元，完成全年预算数的 98.69%。决算数小于全年预算数…」
    name = "putuo-socialwork-2024-final.pdf"
    assert not of(doc(name), "items.final_word")
    d = edited(name, "决算数小于全年预算数的主要原因：人员变动", "决算数大于全年预算数的主要原因：人员变动")
    [f] = of(d, "items.final_word")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("51.32"), D("52.00"))


def test_a_final_word_over_nothing_budgeted_or_spent_is_template_filler():
    # 延边州工信局: 「因公出国（境）费预算为 0.00 万元，支出决算为 0.00 万元…决算数小于预算数的主要原因是本单位不涉及此项」
    assert not [f for f in of(doc("yanbian-industry-2023-final.txt"), "items.final_word") if f.a_value == 0]


# ---------------------------------------------------------------- a total and the whole set of its parts


def test_a_total_listing_a_whole_set_of_parts_adds_up():
    # 朝阳: 「2023 年度财政拨款支出 1413.38 万元，其中：基本支出 1163.03 万元，项目支出 250.35 万元」
    name = "chaoyang-industry-2023-final.txt"
    assert not of(doc(name), "prose.parts_sum")
    d = edited(name, "其中：基本支出 1163.03 万元，项目支出 250.35", "其中：基本支出 1163.03 万元，项目支出 268.35")
    [f] = of(d, "prose.parts_sum")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("1413.38"), D("1431.38"))


def test_parts_of_half_a_whole_set_may_fall_short_of_their_total():
    # 江苏省检察院 2018: 「政府采购支出预算总额 3,096.24 万元。其中：拟采购货物支出 268 万元、拟购买服务支出
    # 2,828.24 万元」 (no 工程): a part left out would only make the sum fall short
    name = "d06-p15-30-procurement-parts.pdf"
    assert not of(doc(name), "prose.parts_sum")
    assert not of(edited(name, "总额 3,096.24 万元", "总额 3,313.00 万元"), "prose.parts_sum")


def test_parts_of_half_a_whole_set_must_not_exceed_their_total():
    d = edited("d06-p15-30-procurement-parts.pdf", "拟购买服务支出2,828.24", "拟购买服务支出3,026.22")
    [f] = of(d, "prose.parts_sum")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("3096.24"), D("3294.22"))
    assert "已超过合计" in f.message


def test_the_known_yanbian_total_slip_is_found_against_its_own_parts():
    # 延边州政府办: 「2023 年收入预算 2030.72 万元，其中：本年收入 1932.48 万元…上年结转 98.27 万元」 (= 2030.75)
    [f] = of(doc("yanbian-govoffice-2023-budget.txt"), "prose.parts_sum")
    assert (f.a_value, f.b_value) == (D("2030.72"), D("2030.75"))


def test_a_change_followed_by_a_list_is_not_its_total():
    # 重庆: 「…比 2025 年增加 2,781.90 万元。其中：基本支出 9,018.47 万元…项目支出 9,399.23 万元」
    assert not of(doc("d02-p3-4-15-16-20-changes-sangong.pdf"), "prose.parts_sum")


def test_a_class_list_binds_names_the_table_cut_at_its_column_edge():
    # 延边州政府办 四: 「财政拨款收支总预算 2030.75 万元。其中：…支出包括：…卫生健康支出 73.85 万元…」; 预算表5 prints
    # the class as 「卫生健康」 (cut at the column), its 合计 2030.75 is the list's lead
    name = "yanbian-govoffice-2023-budget.txt"
    old = "社会保障和就业支出 148.23 万元，卫生健康支出 73.85 万元，住房保障支出 110.56 万元，自然资源"
    assert sum(1 for p in doc(name).paragraphs if old in p.text) == 1
    d = edited(name, old, old.replace("73.85", "79.02"))
    [f] = of(d, "items.row")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("79.02"), D("73.85"), "210 卫生健康")


def test_economic_items_under_public_funds_are_the_basic_detail_tables_rows():
    # 襄垣 六: 「公用经费77.80万元，主要包括办公费12.89万元、…其他交通费用21.12万元…」 against 公开06表
    name = "xiangyuan-industry-2023-final.txt"
    [f] = of(doc(name), "items.row")  # 其他交通费用 21.12 for the 21.11 the table prints: within rounding
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("rounding", D("21.12"), D("21.11"), "30239 其他交通费用")
    d = edited(name, "办公费12.89万元", "办公费13.79万元")
    [f] = [f for f in of(d, "items.row") if f.severity == "error"]
    assert (f.a_value, f.b_value, f.b.row) == (D("13.79"), D("12.89"), "30201 办公费")


def test_basic_and_project_spending_need_not_be_the_total_when_other_spending_is_printed():
    # 朝阳's 支出决算表 prints 经营支出 0; were it 18.00, 「1413.38 万元，其中：基本支出…，项目支出 232.35」 could be whole
    d = edited("chaoyang-industry-2023-final.txt", "其中：基本支出 1163.03 万元，项目支出 250.35",
               "其中：基本支出 1163.03 万元，项目支出 232.35")
    assert of(d, "prose.parts_sum")
    table = next(t for t in d.tables if t.kind == "支出决算表")
    next(r for r in table.rows if r.is_total).cells["经营支出"] = D("18.00")
    assert not of(d, "prose.parts_sum")


def test_a_change_against_last_years_execution_is_not_read_against_a_budget_column():
    # 重庆 表八's year before is 2025年预算数: 「比 2025 年执行数增加」 compares with another figure
    d = edited("d02-p3-4-15-16-20-changes-sangong.pdf", "较 2025 年减少 2.48 万元", "较 2025 年执行数增加 9.99 万元")
    assert not of(d, "prose.change_prior")


def test_a_change_against_another_year_than_the_one_before_is_a_warning():
    # 重庆 2026: 「较 2025 年减少 2.48 万元」 holds; 「较 2024 年」 is a template not brought forward
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not of(doc(name), "items.year")
    d = edited(name, "较 2025 年减少 2.48 万元", "较 2024 年减少 2.48 万元")
    [f] = of(d, "items.year")
    assert (f.severity, f.a_value, f.b_value) == ("warning", D("2024"), D("2025"))


def test_a_sangong_item_heading_its_own_sentence_names_the_next_sentences_figure():
    # 深圳口岸办: 「2.公务接待费。2026 年预算数 1.65 万元，较 2025 年年初预算减少 0.24 万元」; 表9's 2026年 row 1.65
    name = "d04-p9-31-sangong-item-headings.pdf"
    assert not of(doc(name), "prose.sangong")
    d = edited(name, "2026 年预算数 1.65 万元", "2026 年预算数 1.77 万元")
    [f] = of(d, "prose.sangong")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("1.77"), D("1.65"), "2026年")


def test_nearly_equal_final_and_budget_are_within_five_percent():
    # 普陀财政局 购房补贴: 「年初预算为 258.50 万元，支出决算为 258.50 万元。决算数与预算数基本持平」
    name = "putuo-finance-2024-final.pdf"
    assert not of(doc(name), "items.final_word")
    d = edited(name, "年初预算为 258.50 万元", "年初预算为 276.60 万元")  # 258.50 is 6.5% less
    [f] = of(d, "items.final_word")
    assert (f.severity, f.a_value, f.b_value) == ("warning", D("258.50"), D("276.60"))
    d = edited(name, "年初预算为 258.50 万元", "年初预算为 265.00 万元")  # 2.5% less: 基本持平 holds
    assert not of(d, "items.final_word")


# ---------------------------------------------------------------- figures bound where the cross-table keys hold none


def test_a_list_naming_no_whole_whose_sum_a_slip_moved_is_held_to_the_table_figure_its_other_shares_agree_with():
    # 湖州: 人员支出 1591.60 for 1487.48 moves the list's own sum too; 公用 and 项目 still agree with 6,256.31
    d = edited("d08-p5-19-shares-without-lead.pdf", "人员支出 1487.48 万元", "人员支出 1591.60 万元")
    [f] = [f for f in of(d, *SHARES) if f.severity == "error"]
    assert (f.a_value, f.b_value) == (D("23.8"), D("25.44"))  # 1591.60 / 6,256.31
    assert f.b.table is not None  # the table's total is cited


def test_the_spending_tables_own_column_words_name_its_columns():
    # 湖州: 「日常公用支出 116.93 万元」 is the 支出预算总表's 基本支出/公用经费 column
    name = "d08-p5-18-20-spending-uses.pdf"
    assert not [f for f in of(doc(name), "prose.measure") if f.severity == "error"]
    d = edited(name, "日常公用支出 116.93 万元", "日常公用支出 125.12 万元")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("125.12"), D("116.93"))


def test_basic_spending_is_read_from_the_overview_tables_spending_by_use():
    # 江苏省检察院 p24 「基本支出预算数为 13,994.31 万元」: with no 支出表, the 收支预算总表's 支出用途 side says it
    name = "d06-p13-14-24-spending-uses.pdf"
    assert not [f for f in of(doc(name), "prose.measure") if "基本支出" in f.message]
    d = edited(name, "基本支出预算数为 13,994.31", "基本支出预算数为 14,973.91")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("14973.91"), D("13994.31"))
    assert "支出用途" in f.b.label()


def test_an_income_line_is_read_where_the_headline_reader_finds_it():
    # 西安气象局: 「其中一般公共预算拨款收入 1899.9 万元」 against the 收支总表's (1)一般公共预算拨款 (元)
    name = "d11-p8-18-income-line.pdf"
    assert not [f for f in of(doc(name), "prose.measure") if f.severity == "error"]
    d = edited(name, "其中一般公共预算拨款收入 1899.9 万元", "其中一般公共预算拨款收入 2032.9 万元")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("2032.9"), D("1899.901166"))


def test_an_income_line_named_without_the_word_grant_is_still_the_general_budget_line():
    # 烟台审计局: the 收支总体情况表 prints 「一般公共预算收入」 (no 拨款)
    d = edited("d13-p8-27-income-lines.pdf", "一般公共预算收入2,776.75万元", "一般公共预算收入2,971.12万元")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("2971.12"), D("2776.75"))


def test_a_sentence_may_state_any_amount_column_of_the_line_it_names():
    # 延边政务办: 「本年中，一般公共预算拨款收入 1932.48 万元」 is the 当年预算 column, beside 上年结转 98.27
    assert not [f for f in of(doc("yanbian-govoffice-2023-budget.txt"), "prose.measure") if "1932.48" in f.message]


def test_a_paragraph_opening_with_an_amount_continues_the_heading_it_was_cut_from():
    # 烟台审计局 p27: heading 「（二）支出预算：2026年支出预算3,558.35万元，其中：基本支出」, body 「2,776.85万元，…」
    name = "d13-p8-11-27-split-heading.pdf"
    assert not [f for f in of(doc(name), "prose.measure") if f.severity == "error"]
    d = edited(name, "2,776.85万元，项目支出", "2,971.23万元，项目支出")
    [f] = of(d, "prose.measure")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("2971.23"), D("2776.85"))


def test_a_sangong_item_heading_names_its_paragraphs_first_figure():
    # 泉州: heading 「（二）公务接待费」 over 「2026 年预算安排 2.00 万元…」
    name = "d10-p17-22-sangong-item-headings.pdf"
    assert not [f for f in of(doc(name), "prose.sangong") if f.severity == "error"]
    [f] = of(edited(name, "2026 年预算安排 2.00 万元", "2026 年预算安排 2.14 万元"), "prose.sangong")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("2.14"), D("2.00"))


def test_the_two_car_items_together_are_read_from_their_own_row():
    # 泉州: heading 「（三）公务用车购置及运行费」 over 「2026年预算安排 9.20万元，其中：公务用车运行费 9.20万元」
    d = edited("d10-p17-22-sangong-item-headings.pdf", "2026年预算安排 9.20万元", "2026年预算安排 9.84万元")
    [f] = of(d, "prose.sangong")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("9.84"), D("9.20"))


# ---------------------------------------------------------------- 决算数 against 预算数, and completion rates


def test_a_final_word_opening_a_paragraph_reads_the_figures_of_the_paragraph_before():
    # 普陀社工部 p18: 「…全年预算为321.02 万元，支出决算为 307.82 万元…。」 then 「决算数小于预算数的主要原因：…」
    name = "putuo-socialwork-2024-final.pdf"
    assert not of(doc(name), "items.final_word")
    d = edited(name, "决算数小于预算数的主要原因：人员经费", "决算数大于预算数的主要原因：人员经费")
    [f] = of(d, "items.final_word")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("307.82"), D("321.02"))
    assert f.a.sentence.startswith("决算数大于预算数")  # reported where the word is


def test_no_difference_between_final_and_budget_is_a_completion_of_100_percent():
    # 朝阳: 「完成年初预算的 100%，决算数与年初预算数存在差异的主要原因是无差异」, no budget figure written
    name = "chaoyang-industry-2023-final.txt"
    assert not of(doc(name), "items.final_word")
    d = edited(name, "公用支出等支出，完成年初预算的 100%", "公用支出等支出，完成年初预算的 95%")
    [f] = of(d, "items.final_word")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("95"), D("100"))


def test_a_sangong_rate_in_the_next_sentence_is_recomputed_with_the_tables_budget():
    # 朝阳: 「公务用车购置及运行费 10.59 万元，占“三公”经费支出的 100.00%。完成预算的 116.89%」: 10.59 / 9.06
    name = "chaoyang-industry-2023-final.txt"
    assert not of(doc(name), "prose.completion")
    d = edited(name, "100.00%。完成预算的 116.89%", "100.00%。完成预算的 111.89%")
    [f] = of(d, "prose.completion")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("111.89"), D("116.89"))


def test_the_parts_completion_rates_cannot_imply_more_budget_than_the_wholes():
    # 朝阳: 财政拨款支出 1413.38 完成 139.47% (budget ≈ 1,013.39); 基本支出 1163.03 at 109.76% would need 1,059.61
    d = edited("chaoyang-industry-2023-final.txt", "基本支出完成年初预算的 114.76%", "基本支出完成年初预算的 109.76%")
    [f] = of(d, "prose.completion")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("1059.61"), D("1013.39"))


def test_the_same_amount_written_twice_is_completed_at_100_percent():
    # 延边工信: 「项目全年预算数为15万元，执行数为15万元，完成预算的100%」; 95% is within 15's rounding, so a warning
    name = "yanbian-industry-2023-final.txt"
    assert not [f for f in of(doc(name), "prose.completion") if "15/15" in f.message]
    d = edited(name, "执行数为15万元，完成预算的100%", "执行数为15万元，完成预算的95%")
    [f] = [f for f in of(d, "prose.completion") if "15/15" in f.message]
    assert (f.severity, f.a_value, f.b_value) == ("warning", D("95"), D("100.00"))


def test_a_list_of_one_class_is_read_against_the_class_row():
    # 长沙 2026 p6: 「支出预算 656.73 万元，其中：教育支出 656.73 万元」 against 部门支出总体情况表 205 (p14)
    name = "d09-p6-14-one-class-list.pdf"
    assert not [f for f in audit(doc(name)) if f.check == "items.row"]
    [f] = of(edited(name, "其中：教育支出 656.73", "其中：教育支出 702.70"), "items.row")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("702.70"), D("656.73"), "205 教育支出")


def test_meeting_and_training_fees_are_read_against_their_columns_of_the_sangong_table():
    # 无锡信访局 2025 p33 「会议费预算支出 0.44 万元」 against 表九 (p21): 三公 │ 会议费 0.44 │ 培训费 16.20
    name = "d05-p21-22-33-training-prior.pdf"
    assert not of(doc(name), "prose.meetings")
    [f] = of(edited(name, "会议费预算支出 0.44", "会议费预算支出 0.48"), "prose.meetings")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("0.48"), D("0.44"))
    assert f.b.column == "会议费"


def test_one_class_per_paragraph_is_still_one_list():
    # 延边政府办: 「一般公共服务（类）支出 1690.82 万元，占 83.3%，…。」 then 社会保障和就业, 卫生健康, 住房保障,
    # 「自然资源海洋气象等支出 7.29 万元，占 0.4%」, each its own paragraph: shares of their sum 2,030.75
    name = "yanbian-govoffice-2023-budget.txt"
    assert not [f for f in of(doc(name), *SHARES) if f.severity == "error"]
    [f] = [f for f in of(edited(name, "7.29 万元，占 0.4%", "7.29 万元，占 3.4%"), *SHARES) if f.severity == "error"]
    assert (f.a_value, f.b_value) == (D("3.4"), D("0.36"))


def test_nothing_spent_is_no_share_of_a_budget_however_0_is_rounded():
    # 延边政务服务: 「项目全年预算数为 8 万元，执行数为 0 万元，完成预算的 0%」
    name = "yanbian-govservice-2023-final.txt"
    assert not [f for f in of(doc(name), "prose.completion") if "支出为 0" in f.message]
    [f] = of(edited(name, "执行数为 0 万元，完成预算的 0%", "执行数为 0 万元，完成预算的 5%"), "prose.completion")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("5"), D("0"))


def test_the_income_lines_a_sentence_lists_are_measures_not_components():
    # 湖州: 「财政拨款收支总预算5973.01 万元。收入包括：一般公共预算当年拨款收入5973.01 万元；支出包括：…」
    name = "d08-p5-17-18-income-list.pdf"
    assert not of(doc(name), "prose.measure")
    [f] = of(edited(name, "一般公共预算当年拨款收入5973.01", "一般公共预算当年拨款收入6391.12"), "prose.measure")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("6391.12"), D("5973.01"), "一般公共预算")


def test_running_costs_are_read_against_the_table_that_prints_them():
    # 上海市财政局 2025: 「机关运行经费预算为2,517.78万元」 against the 三公 and 机关运行经费 table's 机关运行经费预算数
    name = "shanghai-finance-2025-unit-budget.pdf"
    assert not of(doc(name), "prose.running_costs")
    [f] = of(edited(name, "机关运行经费预算为2,517.78万元", "机关运行经费预算为2,694.02万元"), "prose.running_costs")
    assert (f.severity, f.a_value, f.b_value, f.b.column) == ("error", D("2694.02"), D("2517.78"), "机关运行经费预算数")



def test_a_clause_between_a_total_and_its_list_does_not_hide_the_list():
    # 重庆: 「政府采购预算总额 4,542.69 万元，均为一般公共预算拨款，其中：政府采购货物预算 110 万元、政府采购工程预算
    # 0 万元、政府采购服务预算 4,432.69 万元」: 货物 + 工程 + 服务 is the whole
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not of(doc(name), "prose.parts_sum")
    [f] = of(edited(name, "政府采购货物预算 110 万元", "政府采购货物预算 118 万元"), "prose.parts_sum")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("4542.69"), D("4550.69"))


def test_a_project_named_with_its_figure_is_its_row_of_the_project_table():
    # 深圳口岸办 2026 p6: 「安全生产和应急管理专项经费 40.00 万元」 against 项目支出总表 (p23) 40.00; the unit's own
    # row (深圳市人民政府口岸办公室 50,878.08) is no project, so 「…口岸办公室 55,884.67 万元」 is not bound to it
    name = "d04-p6-23-named-projects.pdf"
    assert not of(doc(name), "prose.project")
    [f] = of(edited(name, "安全生产和应急管理专项经费 40.00", "安全生产和应急管理专项经费 44.00"), "prose.project")
    assert (f.severity, f.a_value, f.b_value, f.b.row) == ("error", D("44.00"), D("40.00"), "安全生产和应急管理专项经费")


def test_a_two_classification_sides_total_is_the_whole_a_share_names():
    # 江苏省检察院 2018 p26: 「财政拨款预算支出 21,940.96 万元，占本年支出合计的 99.94 %」: the 收支预算总表 prints its
    # 当年支出小计 21,955.35 under 支出用途 only (功能分类 │ 支出用途 side by side)
    name = "d06-p13-14-25-26-two-classifications.pdf"
    d = edited(name, "占本年支出合计的 99.94 %", "占本年支出合计的 96.94 %")
    [f] = [f for f in of(d, *SHARES) if f.a_value == D("96.94")]
    assert (f.severity, f.b_value, f.b.row, f.b.column) == ("error", D("99.93"), "当年支出小计", "支出用途/金额")


# ---------------------------------------------------------------- 绩效目标 over every project: the funds are a total


def test_funds_under_performance_targets_for_every_project_are_a_printed_total():
    # 重庆市政府办公厅 2026: 「项目支出均实行了绩效目标管理，涉及一般公共预算财政拨款 9,399.23 万元」 = 表 p15
    # 一般公共预算支出 合计 项目支出 9,399.23
    name = "d02-p3-4-15-16-20-changes-sangong.pdf"
    assert not of(doc(name), "prose.perf_coverage")
    [f] = of(edited(name, "财政拨款 9,399.23 万元。", "财政拨款 10,057.18 万元。"), "prose.perf_coverage")
    assert (f.severity, f.a_value) == ("warning", D("10057.18"))


def test_funds_under_performance_targets_may_be_a_line_less_its_qizhong_line():
    # 西安宣传部 2021: 「绩效目标管理全覆盖，涉及当年一般公共预算当年拨款 5859.6 万元」; the 收支总表 prints
    # 一般公共预算拨款 258,596,001.79 元, 其中：专项资金列入部门预算的项目 200,000,000.00 元
    name = "d12-p12-16-perf-coverage.pdf"
    assert not of(doc(name), "prose.perf_coverage")
    [f] = of(edited(name, "当年拨款 5859.6 万元", "当年拨款 6269.8 万元"), "prose.perf_coverage")
    assert f.a_value == D("6269.8")


# ---------------------------------------------------------------- the reason given for 决算数大于/小于预算数


def test_a_reason_falling_the_other_way_from_its_final_word_is_a_warning():
    # 普陀区社会工作部 2024: 「决算数小于预算数的主要原因：人员经费支出数小于预算数」
    name = "putuo-socialwork-2024-final.pdf"
    assert not of(doc(name), "items.reason_word")
    d = edited(name, "主要原因：人员经费支出数小于预算数", "主要原因：人员经费支出数大于预算数")
    [f] = of(d, "items.reason_word")
    assert f.severity == "warning" and "支出数大于预算数" in f.message


# ---------------------------------------------------------------- the 政府采购 total against its table


def test_the_procurement_total_is_the_procurement_tables_total():
    # 烟台审计局 2026: 「2026年政府采购预算5.8万元」; 政府采购预算表 合计 5.80 (p25)
    name = "d13-p25-28-procurement.pdf"
    assert not of(doc(name), "prose.procurement")
    [f] = of(edited(name, "政府采购预算5.8万元", "政府采购预算6.2万元"), "prose.procurement")
    assert (f.severity, f.a_value, f.b_value) == ("error", D("6.2"), D("5.80"))
    assert f.b.table.startswith("政府采购预算表") and f.b.row == "合计"


def test_a_whole_figure_beside_decimals_owes_the_lists_precision():
    # 烟台: 「政府采购预算5.8万元，其中：…货物预算3.8万元，…工程预算0万元，…服务预算2万元」: the 2 is 2.0 and the
    # 0 is none, so a total read 6.2 is 0.4 off, not within rounding
    name = "d13-p25-28-procurement.pdf"
    assert not of(doc(name), "prose.parts_sum")
    [f] = of(edited(name, "政府采购预算5.8万元", "政府采购预算6.2万元"), "prose.parts_sum")
    assert (f.a_value, f.b_value, f.tolerance) == (D("6.2"), D("5.8"), D("0.15"))
