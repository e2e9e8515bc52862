"""The 單位 sheet: units with the master's own categories, aliases and addresses, and the groups that cover them."""
from __future__ import annotations

import dataclasses
import re

from ..errors import Severity
from ..text import name_key, suggestion
from .cells import CellReader
from .load import Cell, Row, shown
from .model import Group, Unit
from .schema import GROUP_CATEGORY, UNIT_EMAIL


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[、,，;；\n]", text) if part.strip())


# What may stand before the @ without quotes (RFC 5322's dot-atom): a quote, a space or a name is refused, not quoted
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def mail_address(text: str) -> tuple[str, str]:
    """The address as a To header can hold it (an IDN domain in punycode), or "" and why it cannot be used.

    Read with the email package's parser: a display name, a second address, quotes or angle brackets are refused
    rather than guessed at, and the part before the @ must be plain ASCII (a 單位@… address needs a mail server
    that takes UTF-8, which a draft cannot count on)."""
    from email.utils import parseaddr

    name, address = parseaddr(text)
    if name or address != text:
        return "", "只填一個地址，不含姓名、引號、角括號或逗號"
    local, _, domain = address.rpartition("@")
    if not _LOCAL_PART.fullmatch(local):
        return "", "「@」之前只能有英文字母、數字及 . _ - 等符號"
    try:
        domain = domain.encode("idna").decode("ascii")  # 警察局.tw → xn--….tw
    except UnicodeError:
        return "", "「@」之後不是有效的網域名稱"
    if "." not in domain.strip("."):
        return "", "「@」之後的網域名稱不完整"
    return f"{local}@{domain}", ""


def _email(builder: CellReader, row: Row) -> str:
    """The unit's e-mail address (optional column), checked only for its form: nothing is ever sent."""
    cell = row.cells.get(UNIT_EMAIL)
    text = builder.text(cell) if cell is not None else ""
    if not text:
        return ""
    address, why = mail_address(text)
    if not address:
        builder.error(f"「{shown(text)}」不是可用的電子郵件地址：{why}（例：unit@example.gov.tw）；"
                      "催報信稿不會填入收件人。", cell.location, Severity.WARNING)
    return address


def read_units(builder: CellReader, rows: list[Row]) -> tuple[list[Unit], list[Group]]:
    """Units and groups. Categories are the master's own (課, 股, 分局 …); a group covers categories or units."""
    units: list[Unit] = []
    groups: list[tuple[Group, Cell]] = []
    for row in rows:
        name = builder.text(row["單位名稱"], required=True)
        category = builder.text(row["類別"], required=True)
        if not name:
            continue
        builder.official_spelling(name, row["單位名稱"])
        covered = builder.text(row["群組涵蓋類別"])
        aliases = _split_names(builder.text(row["別名"]))
        entry: Unit | Group
        if category == GROUP_CATEGORY:
            if not row["填報調查表"].blank:
                builder.error("群組本身不填報調查表（其涵蓋的各單位依各自的設定），此格不會使用；請清空。",
                              row["填報調查表"].location, Severity.WARNING)
            # without 群組涵蓋類別 a group is a phrase the plan prints (各組) whose members it does not list
            entry = Group(name, _split_names(covered), row["單位名稱"].location, aliases, named_only=not covered)
            groups.append((entry, row["群組涵蓋類別"]))
        else:
            if covered:
                builder.error(f"只有類別為「{GROUP_CATEGORY}」的列才填寫「群組涵蓋類別」。", row["群組涵蓋類別"].location)
            entry = Unit(name, category, aliases, builder.yes_no(row["填報調查表"], default=True),
                         row["單位名稱"].location, _email(builder, row))
            units.append(entry)
        for key_name, cell in [(name, row["單位名稱"])] + [(a, row["別名"]) for a in aliases]:
            previous = builder.directory.get(name_key(key_name))
            if previous is not None:
                builder.error(f"「{shown(key_name)}」重複，已用於第 {previous.location.row} 列的「{shown(previous.name)}」。",
                              cell.location)
                continue
            builder.directory[name_key(key_name)] = entry
    resolved = {id(group): _group_members(builder, group, cell, units) for group, cell in groups}
    for key, entry in builder.directory.items():
        if isinstance(entry, Group):
            builder.directory[key] = resolved[id(entry)]
    return units, list(resolved.values())


def _group_members(builder: CellReader, group: Group, cell: Cell, units: list[Unit]) -> Group:
    """Split what a group covers into the categories and the units it names; anything else is an error."""
    categories = list(dict.fromkeys(u.category for u in units))
    names = {u.name: u.name for u in units} | {alias: u.name for u in units for alias in u.aliases}
    covered_categories, covered_units = [], []
    for part in group.categories:
        if part in categories:
            covered_categories.append(part)
        elif part in names:
            covered_units.append(names[part])
        else:
            builder.error(f"「{shown(part)}」不是任何單位的類別，也不是單位名稱{suggestion(part, categories + list(names))}。",
                          cell.location)
    return dataclasses.replace(group, categories=tuple(covered_categories), unit_names=tuple(covered_units))
