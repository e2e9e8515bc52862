"""催報: one notice in 公文 style (templates/reminder.docx) listing by unit what is missing, incomplete, late, wrong
or unusable, and the deadline; and, for each unit to chase with an 電子郵件 in the master, an .eml draft with the
blank form or its 補正 workbook attached. Nothing is sent: the drafts open in Outlook or Thunderbird to be sent
by a person.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePosixPath

from markupsafe import Markup

from ..documents.fill_in_workbook import FILL_IN_WORKBOOK_KIND, fill_in_workbook
from ..documents.render import document_time, render_template
from ..master.model import Plan
from ..office.output import Artifact, OutputSet, reproducible, safe_file_name
from ..paths import Paths, template_path
from ..text import roc_date
from .consolidate import reply_date, reply_deadline
from .corrections import CORRECTION_KIND, correction_path, correction_workbook, needs_correction
from .records import Collection, UnitState
from .write_report import body_outline, chase_reasons, outline_labels, paragraph

REMINDER_TEMPLATE = "reminder.docx"
REMINDERS_FOLDER = "催報"
REMINDER_KIND = "催報通知"
DRAFT_KIND = "催報信稿"
DRAFTS_FOLDER = "信稿"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def to_chase(collection: Collection) -> list[UnitState]:
    return [state for state in collection.states() if state.to_chase]


def _subject(plan: Plan, deadline: dt.date) -> str:
    facts = plan.facts
    return (f"請於{roc_date(deadline)}前完成回報或補正「{facts.title}」之{facts.survey_title}及辦理情形，"
            "請查照。")


def _explanation(collection: Collection, deadline: dt.date) -> list[tuple[int | None, str]]:
    facts = collection.plan.facts
    as_of = collection.as_of or facts.due_date
    return [
        (1, f"依{facts.issue_line}之「{facts.title}」辦理。"),
        (1, f"旨揭計畫之{facts.survey_title}及辦理情形，填報期限為{roc_date(facts.due_date)}；"
            f"截至中華民國{roc_date(as_of)}止，下列單位尚未回報或回報內容待補正，詳如附表。"),
        (1, f"尚未回報之單位，請以{facts.self_reference or '本機關'}寄發之Excel填報表或Word調查表填寫後寄回；"
            "以PDF、圖片等其他格式寄送者，無法逐格彙整，請改以上述填報表回報。"),
        (1, "須補正之單位，另附貴單位填報表，已填入原回報內容並以紅框標示待補正之儲存格（游標移至儲存格可看到說明），"
            "請依「補正說明」工作表修正，並更新填報日期後寄回。"),
        (1, f"請於{roc_date(deadline)}前寄送{facts.recipient}。"),
    ]


def reminder_context(collection: Collection, styles: dict[str, str]) -> dict:
    """What the 催報 notice prints; with no unit to chase it says so (what `check` renders it with)."""
    plan = collection.plan
    facts = plan.facts
    as_of = collection.as_of or facts.due_date
    deadline = reply_deadline(as_of)
    chased = to_chase(collection)
    cell = styles.get("表格內文")
    units = [{"name": state.unit.name, "reasons": Markup("").join(
        paragraph(label + reason + "。", cell) for label, reason in
        zip(outline_labels(len(reasons), first_depth=2), reasons))}
        for state in chased if (reasons := chase_reasons(state, facts.due_date))]
    office = "　".join(part for part in (f"承辦單位：{facts.office or facts.recipient}",
                                          f"承辦人：{facts.officer}" if facts.officer else "") if part)
    return {
        "title": f"{facts.agency}　書函",
        # 發文字號, 速別 and 密等 stand as labels for the clerk to fill: the master's 發文字號 is the circular's
        "contact": facts.officer,
        "addressee": "如正本",
        "date": f"中華民國{roc_date(as_of)}",
        "attachment": "如附表；須補正單位另附其填報表" if chased else "無",
        "subject": _subject(plan, deadline),
        "explanation": body_outline(styles, _explanation(collection, deadline)),
        "recipients": "、".join(state.unit.name for state in chased) or "無",
        "office_line": office,
        "table_title": f"{facts.year}年{facts.survey_title}催報單位一覽表（截至中華民國{roc_date(as_of)}止）",
        "units": units or [{"name": "", "reasons": paragraph("各單位均已依限回報，內容完整。", cell)}],
        "table_note": f"回覆期限：{roc_date(deadline)}（原填報期限：{roc_date(facts.due_date)}）。",
    }


def reminder_context_without_returns(plan: Plan, styles: dict[str, str]) -> dict:
    """The 催報 notice before any return has come in (every unit is then to be chased): what `check` uses."""
    return reminder_context(Collection(plan, [], {}), styles)


class _EncodedSubject(str):
    """A Subject written as RFC 2047 encoded words, whatever it holds. Given a plain string, the email package
    decodes any encoded word in it (a unit named =?utf-8?…?= would reach the unit as what that stands for) and
    refuses a line break; a value with a `name` and a `fold` is stored and written as it is."""

    name = "Subject"

    def fold(self, *, policy) -> str:
        from email.header import Header

        return f"{self.name}: {Header(str(self), 'utf-8', header_name=self.name).encode(linesep=policy.linesep)}" \
               + policy.linesep


def draft(collection: Collection, state: UnitState, attachment: tuple[str, bytes]) -> bytes:
    """An unsent e-mail (.eml) to the unit: X-Unsent makes Outlook open it as a draft; Thunderbird opens it too."""
    from email import policy
    from email.message import EmailMessage
    from email.utils import format_datetime

    facts = collection.plan.facts
    as_of = collection.as_of or facts.due_date
    deadline = reply_deadline(as_of)
    reasons = chase_reasons(state, facts.due_date)
    message = EmailMessage(policy=policy.SMTP)
    message["To"] = state.unit.email
    message["Subject"] = _EncodedSubject(
        f"【催報】{facts.title}：請{state.unit.name}於{roc_date(deadline)}前完成回報或補正")
    message["Date"] = format_datetime(dt.datetime.combine(as_of, dt.time(9), dt.timezone(dt.timedelta(hours=8))))
    message["X-Unsent"] = "1"
    lines = [f"{state.unit.name}承辦人您好：", "",
             f"{facts.title}之{facts.survey_title}及辦理情形，填報期限為{roc_date(facts.due_date)}；"
             f"截至中華民國{roc_date(as_of)}止，貴單位：",
             *(f"{label}{reason}。" for label, reason in zip(outline_labels(len(reasons), 2), reasons)), "",
             f"請以附件填寫（或補正）後，於{roc_date(deadline)}前寄回{facts.recipient}。"
             + ("附件已填入貴單位原回報內容，待補正之儲存格以紅框標示，說明列於「補正說明」工作表。"
                if needs_correction(state) else ""),
             "", "　".join(p for p in (facts.office or facts.recipient, facts.officer) if p)]
    message.set_content("\r\n".join(lines))
    name, data = attachment
    message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    # a fixed boundary: the same returns give the same bytes
    message.set_boundary("plandocs-" + hashlib.sha256(state.unit.name.encode()).hexdigest()[:24])
    return message.as_bytes()


def add_reminders(outputs: OutputSet, collection: Collection, paths: Paths) -> None:
    """The notice and the drafts, added to the outputs."""
    plan = collection.plan
    stamp = document_time(plan.facts)
    reply_by = reply_date(collection)
    folder = PurePosixPath(REMINDERS_FOLDER)
    notice = reproducible(render_template(template_path(paths, REMINDER_TEMPLATE),
                                          lambda styles: reminder_context(collection, styles), names=plan.unit_names,
                                          title_names=plan.facts.typed_names),
                          stamp)
    name = f"{plan.facts.year}年{REMINDER_KIND}"
    outputs.add(Artifact(folder / f"{name}.docx", notice, REMINDER_KIND))
    corrections = {a.unit: a for a in outputs.artifacts if a.kind == CORRECTION_KIND}
    for state in to_chase(collection):
        if not state.unit.email:
            continue
        unit_name = safe_file_name(state.unit.name)
        if state.unit.name in corrections:
            attachment = (correction_path(state.unit.name).name, corrections[state.unit.name].data)
        elif needs_correction(state):
            attachment = (correction_path(state.unit.name).name,
                          reproducible(correction_workbook(plan, state, reply_by)[0], stamp))
        else:
            attachment = (f"{unit_name}_{FILL_IN_WORKBOOK_KIND}.xlsx",
                          fill_in_workbook(plan, state.unit, reply_by=reply_by))
        outputs.add(Artifact(folder / DRAFTS_FOLDER / f"{unit_name}.eml", draft(collection, state, attachment),
                             DRAFT_KIND, state.unit.name))
