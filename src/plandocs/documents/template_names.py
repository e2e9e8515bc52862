"""Names a template uses, checked against the data it will be rendered with.

Top-level names as docxtpl's `get_undeclared_template_variables` finds them, and attributes such as
`dimension.heading`, which it does not see; a misspelt one is reported at its tag with the names available.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..text import close_names
from .template_scan import Tag, TemplateScan, jinja_source, shorten, syntax_environment


class _Unknown:
    """The shape of a value the static check cannot know (a loop over an empty list, a `set` of a filter)."""


UNKNOWN = _Unknown()


@dataclass
class _Fields:
    """The shape of a dict in the context: its keys and the shape of each value."""

    fields: dict[str, object]


@dataclass
class _Items:
    """The shape of a list in the context: the merged shape of its elements."""

    element: object


def shape_of(value: object) -> object:
    """Describe a context value by its structure; the elements of a list are merged into one shape."""
    if isinstance(value, dict):
        return _Fields({key: shape_of(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        merged: object = UNKNOWN
        for item in value:
            merged = _merge(merged, shape_of(item))
        return _Items(merged)
    return value


def _merge(first: object, second: object) -> object:
    if isinstance(first, _Unknown):
        return second
    if isinstance(first, _Fields) and isinstance(second, _Fields):
        keys = dict.fromkeys([*first.fields, *second.fields])
        return _Fields({k: _merge(first.fields.get(k, UNKNOWN), second.fields.get(k, UNKNOWN)) for k in keys})
    if isinstance(first, _Items) and isinstance(second, _Items):
        return _Items(_merge(first.element, second.element))
    return first


def check_names(scan: TemplateScan, context: dict) -> None:
    """Report every name and attribute the template uses that its data does not provide."""
    from jinja2 import TemplateSyntaxError

    tags = [t for t in scan.tags if t.delimiter != "{#"]
    environment = syntax_environment()
    try:
        tree = environment.parse("\n".join(jinja_source(t) for t in tags))  # one tag per line: lineno finds it
    except TemplateSyntaxError:
        return  # reported tag by tag already
    _NameChecker(scan, tags, environment, context).visit_all(tree.body, {k: shape_of(v) for k, v in context.items()})


class _NameChecker:
    def __init__(self, scan: TemplateScan, tags: list[Tag], environment, context: dict):
        self.scan = scan
        self.tags = tags
        self.environment = environment
        self.top_level = sorted(context)
        self.reported: set[tuple[int, str]] = set()

    def report(self, node, name: str, known: list[str], owner: str = "") -> None:
        tag = self.tags[min(max(node.lineno, 1), len(self.tags)) - 1]
        if (node.lineno, name) in self.reported:
            return
        self.reported.add((node.lineno, name))
        close = close_names(name.rsplit(".", 1)[-1], known, count=1)
        hint = f"（是否為「{close[0]}」？）" if close else ""
        available = f"「{owner}」可用的名稱" if owner else "此範本可用的名稱"
        names = "、".join(known) if known else "（無）"
        self.scan.problem(f"「{shorten(tag.text)}」使用了資料中沒有的名稱「{name}」{hint}；{available}：{names}。",
                          tag.place)

    def visit_all(self, nodes, scope: dict) -> None:
        for node in nodes:
            self.visit(node, scope)

    def visit(self, node, scope: dict) -> object:
        """Check one node; for an expression, return the shape of its value."""
        from jinja2 import nodes as n

        if isinstance(node, n.For):
            element = self.visit(node.iter, scope)
            inner = dict(scope)
            _bind(node.target, element.element if isinstance(element, _Items) else UNKNOWN, inner)
            inner["loop"] = UNKNOWN
            if node.test is not None:
                self.visit(node.test, inner)
            self.visit_all(node.body, inner)
            self.visit_all(node.else_, scope)
            return None
        if isinstance(node, n.Assign):
            _bind(node.target, self.visit(node.node, scope), scope)
            return None
        if isinstance(node, (n.AssignBlock, n.Macro, n.CallBlock, n.With)):
            inner = dict(scope)
            for child in node.iter_child_nodes():
                if isinstance(child, n.Name) and child.ctx in ("store", "param"):
                    inner[child.name] = UNKNOWN
            if isinstance(node, (n.Macro, n.CallBlock)):
                inner.update(dict.fromkeys(("caller", "varargs", "kwargs"), UNKNOWN))
            if isinstance(node, n.With):
                for target, value in zip(node.targets, node.values):
                    _bind(target, self.visit(value, scope), inner)
                self.visit_all(node.body, inner)
                return None
            if isinstance(node, n.AssignBlock):
                _bind(node.target, UNKNOWN, scope)
            self.visit_all(node.body, inner)
            return None
        if isinstance(node, n.Name):
            if node.ctx != "load":
                return UNKNOWN
            if node.name in scope:
                return scope[node.name]
            if node.name not in self.environment.globals:
                self.report(node, node.name, self.top_level)
            return UNKNOWN
        if isinstance(node, n.Getattr):
            return self.attribute(node, node.node, node.attr, scope)
        if isinstance(node, n.Getitem) and isinstance(node.arg, n.Const) and isinstance(node.arg.value, str):
            return self.attribute(node, node.node, node.arg.value, scope)
        if isinstance(node, n.Filter) and node.name not in self.environment.filters:
            self.report(node, f"|{node.name}", sorted(self.environment.filters), "篩選器")
        if isinstance(node, n.Test) and node.name not in self.environment.tests:
            self.report(node, f"is {node.name}", sorted(self.environment.tests), "測試")
        if isinstance(node, n.Call) and isinstance(node.node, n.Getattr):
            self.visit(node.node.node, scope)  # a method call such as d.items(): the method itself is fine
            for child in node.iter_child_nodes():
                if child is not node.node:
                    self.visit(child, scope)
            return UNKNOWN
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return UNKNOWN

    def attribute(self, node, owner_node, name: str, scope: dict) -> object:
        owner = self.visit(owner_node, scope)
        owner_name = _dotted(owner_node)
        if isinstance(owner, _Fields):
            if name in owner.fields:
                return owner.fields[name]
            self.report(node, f"{owner_name}.{name}", list(owner.fields), owner_name)
        elif isinstance(owner, _Items):
            self.report(node, f"{owner_name}.{name}", [], f"{owner_name}（清單，須以 {{% for %}} 逐項取用）")
        elif not isinstance(owner, _Unknown) and owner is not None and not hasattr(owner, name):
            self.report(node, f"{owner_name}.{name}", [], owner_name)
        return UNKNOWN


def _bind(target, shape: object, scope: dict) -> None:
    """Give the names a `for` or `set` assigns their shape (each name of a tuple: unknown)."""
    from jinja2 import nodes as n

    if isinstance(target, n.Name):
        scope[target.name] = shape
    elif isinstance(target, n.Tuple):
        for item in target.items:
            _bind(item, UNKNOWN, scope)


def _dotted(node) -> str:
    """`dimension.assessment_items` for a chain of attributes, as the user typed it."""
    from jinja2 import nodes as n

    if isinstance(node, n.Name):
        return node.name
    if isinstance(node, n.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "此值"
