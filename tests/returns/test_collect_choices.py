"""Choosing between returns and reading odd values: the mistakes a user-acceptance review found."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plandocs.commands.collect import collect
from plandocs.returns.records import Status
from plandocs.documents.fill_in_form import GUIDE_INPUT_ROWS, GUIDE_SHEET, REPORT_DATE
from plandocs.paths import Paths

from helpers.project import make_project
from helpers.returns_factory import Filler, form_of
from helpers.returns_factory import filled


@pytest.fixture(scope="module")
def built(shipped_output: Path, tmp_path_factory) -> tuple[Path, Paths]:
    project = make_project(tmp_path_factory.mktemp("choices") / "project")
    return shipped_output, Paths(project.source, project.templates, project.output)


def run(built, tmp_path: Path, files: dict[str, Filler]):
    output, paths = built
    folder = tmp_path / "returns"
    folder.mkdir()
    for name, filler in files.items():
        filler.save(folder / name)
    return collect(paths, folder)


def statuses(report) -> dict[str, Status]:
    return {ret.file: ret.status for ret in report.collection.returns}


def test_the_blank_form_sent_back_later_never_replaces_a_filled_return(built, tmp_path):
    output, _ = built
    blank = Filler(form_of(output, "交通警察大隊"))
    blank.contact(dt.date(2018, 6, 28))  # newer than the filled one, but nothing else typed
    report = run(built, tmp_path, {"交通大隊_填好.xlsx": filled(output, "交通警察大隊", dt.date(2018, 6, 20)),
                                   "交通大隊_原始附件.xlsx": blank})
    assert statuses(report) == {"交通大隊_填好.xlsx": Status.RETURNED, "交通大隊_原始附件.xlsx": Status.SUPERSEDED}
    superseded = next(r for r in report.collection.returns if r.status is Status.SUPERSEDED)
    assert "沒有填寫任何內容" in superseded.reason


def test_an_impossible_report_date_is_reported_and_does_not_win(built, tmp_path):
    output, _ = built
    typo = filled(output, "信義分局", dt.date(2081, 6, 20))
    report = run(built, tmp_path, {"信義_舊.xlsx": typo, "信義_新.xlsx": filled(output, "信義分局", dt.date(2018, 6, 26))})
    assert statuses(report) == {"信義_新.xlsx": Status.RETURNED, "信義_舊.xlsx": Status.SUPERSEDED}
    typo_return = next(r for r in report.collection.returns if r.file == "信義_舊.xlsx")
    cell = f"B{GUIDE_INPUT_ROWS[REPORT_DATE]}"
    assert any("相差太多" in f.problem.message and f.location.cell() == cell and f.location.sheet == GUIDE_SHEET
               for f in typo_return.findings)


def test_a_number_typed_into_the_date_cell_is_read_as_the_date_its_digits_spell(built, tmp_path):
    output, _ = built
    unit = filled(output, "中山分局")
    unit.guide.cell(GUIDE_INPUT_ROWS[REPORT_DATE], 2).value = 20180625
    report = run(built, tmp_path, {"中山分局.xlsx": unit})
    (ret,) = report.collection.returns
    assert ret.status is Status.RETURNED and ret.measures
    assert ret.contact.date == dt.date(2018, 6, 25)


@pytest.mark.parametrize("typed", ["107/6/25", "107.6.25", "107-6-25", "1070625", "107年6月25日", "民國107年6月25日",
                                   "中華民國107年6月25日", "１０７／６／２５", dt.date(107, 6, 25)])
def test_roc_dates_are_read_however_a_clerk_types_them(built, tmp_path, typed):
    output, _ = built
    unit = filled(output, "中山分局", typed)  # dt.date(107, 6, 25): what Excel and Calc store for a typed 107/6/25
    report = run(built, tmp_path, {"中山分局.xlsx": unit})
    (ret,) = report.collection.returns
    assert ret.contact.date == dt.date(2018, 6, 25)
    assert ret.filed == (dt.datetime(2018, 6, 25), REPORT_DATE)
    assert not [f for f in ret.findings if f.location.sheet == GUIDE_SHEET]


def test_an_implausible_date_is_kept_as_typed_with_a_located_warning(built, tmp_path):
    output, _ = built
    report = run(built, tmp_path, {"中山分局.xlsx": filled(output, "中山分局", "97/6/25")})
    (ret,) = report.collection.returns
    assert ret.contact.date is None
    (finding,) = [f for f in ret.findings if f.location.sheet == GUIDE_SHEET and f.content]
    assert finding.location.cell() == f"B{GUIDE_INPUT_ROWS[REPORT_DATE]}" and finding.content == "97/6/25"
    assert "日期「97/6/25」與計畫年度 107 年相差太多" in finding.problem.message


@pytest.mark.parametrize(("typed", "read"), [("1,200", 1200), ("１２００件", 1200), ("120、150", None), ("1,20", None)])
def test_counts_accept_thousands_grouping_but_never_glue_a_list(built, tmp_path, typed, read):
    output, _ = built
    unit = filled(output, "士林分局")
    unit.report("1.1.1", "已辦理", {106: typed})
    report = run(built, tmp_path, {"士林分局.xlsx": unit})
    (ret,) = report.collection.returns
    assert ret.progress["1.1.1"].counts.get(106) == read
    if read is None:
        assert any(f"「{typed}」不是件數" in f.problem.message for f in report.problems)


def test_another_units_file_retitled_is_not_taken_for_either_unit(built, tmp_path):
    output, _ = built
    copy = filled(output, "中山分局", dt.date(2018, 6, 27))
    for sheet in (copy.survey, copy.progress_sheet):  # the titles a person sees; the hidden identity stays
        for row in sheet.iter_rows(max_row=3):
            for cell in row:
                if isinstance(cell.value, str) and "中山分局" in cell.value:
                    cell.value = cell.value.replace("中山分局", "大安分局")
    report = run(built, tmp_path, {"中山分局.xlsx": filled(output, "中山分局", dt.date(2018, 6, 20)),
                                   "大安分局回報.xlsx": copy})
    assert statuses(report) == {"中山分局.xlsx": Status.RETURNED, "大安分局回報.xlsx": Status.UNIDENTIFIED}
    retitled = next(r for r in report.collection.returns if r.file == "大安分局回報.xlsx")
    assert "表單識別為「中山分局」，但表單標題寫的是「大安分局」" in retitled.reason


def test_a_unit_name_typed_as_the_reporter_does_not_decide_the_unit(built, tmp_path):
    output, _ = built
    unit = filled(output, "北投分局")
    unit.guide.cell(GUIDE_INPUT_ROWS["填報人"], 2).value = "士林分局"
    report = run(built, tmp_path, {"回報.xlsx": unit})
    (ret,) = report.collection.returns
    assert ret.status is Status.RETURNED and ret.unit.name == "北投分局"


def test_a_measure_in_a_spare_row_keeps_the_labels_above_and_says_so(built, tmp_path):
    output, _ = built
    unit = filled(output, "南港分局")
    survey = unit.survey
    spare = next(r for r in range(5, survey.max_row + 1)
                 if survey.cell(r, 1).value is None and survey.cell(r, 2).value is None and survey.cell(r, 3).value is None)
    survey.cell(spare, 3).value, survey.cell(spare, 4).value = "沒有選構面的措施", "內容"
    report = run(built, tmp_path, {"南港分局.xlsx": unit})
    (ret,) = report.collection.returns
    assert any(m.name == "沒有選構面的措施" for m in ret.measures)
    assert any("已沿用上方" in f.problem.message and f.location.cell() == f"A{spare}" for f in report.problems)


def test_save_times_are_shown_in_taiwan_time_and_report_dates_as_dates():
    from plandocs.text import taiwan_time as shown_time

    assert shown_time(dt.datetime(2018, 6, 20, 1, 0)) == dt.datetime(2018, 6, 20, 9, 0)  # saved 09:00 in Taipei
    assert shown_time(dt.datetime(2018, 6, 25)) == dt.datetime(2018, 6, 25)


def test_two_returns_of_the_same_date_say_what_decided(built, tmp_path):
    output, paths = built
    folder = tmp_path / "returns"
    folder.mkdir()
    filled(output, "萬華分局", dt.date(2018, 6, 25)).save(folder / "萬華_a.xlsx", modified=dt.datetime(2018, 6, 25, 1, 0))
    filled(output, "萬華分局", dt.date(2018, 6, 25)).save(folder / "萬華_b.xlsx", modified=dt.datetime(2018, 6, 25, 3, 0))
    report = collect(paths, folder)
    assert statuses(report) == {"萬華_a.xlsx": Status.SUPERSEDED, "萬華_b.xlsx": Status.RETURNED}
    older = next(r for r in report.collection.returns if r.file == "萬華_a.xlsx")
    assert "兩檔填報日期同為 107年6月25日，依活頁簿儲存時間（107年6月25日 11:00:00）採用該檔" in older.reason
