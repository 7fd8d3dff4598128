"""A tiny document model (headings, text, bullets, tables, images) rendered to Markdown and to HTML.

The report is built once as a list of blocks and rendered twice, so report.md and
report.html always hold the same content. Text may use `backticks` for code.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Union


@dataclass
class Heading:
    """A section heading; ``level`` 1 is the title."""

    text: str
    level: int = 2


@dataclass
class Para:
    """A paragraph of plain text."""

    text: str


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[str]


@dataclass
class Table:
    """A table of strings; ``attrs[i][j]`` are HTML attributes of body cell (i, j) (e.g. data-*)."""

    columns: list[str]
    rows: list[list[str]]
    attrs: list[list[dict[str, str]]] = field(default_factory=list)
    id: str = ""


@dataclass
class Image:
    """A PNG figure: written beside report.md as ``file``, embedded in the HTML as a data URI."""

    file: str
    caption: str
    png: bytes


Block = Union[Heading, Para, Bullets, Table, Image]
CSS = """body{font-family:sans-serif;max-width:72em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}
th{background:#eee}td.num{text-align:right;white-space:nowrap}figure{margin:1em 0}img{max-width:100%}
figcaption{font-size:90%;color:#555}code{background:#f4f4f4}"""


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as GitHub-flavoured Markdown; images reference their PNG files."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + b.text)
        elif isinstance(b, Para):
            out.append(b.text)
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {item}" for item in b.items))
        elif isinstance(b, Table):
            lines = ["| " + " | ".join(_md_cell(c) for c in b.columns) + " |", "|" + "---|" * len(b.columns)]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join(lines))
        else:
            out.append(f"![{b.caption}]({b.file})\n\n*{b.caption}*")
    return "\n\n".join(out) + "\n"


def _inline(text: str) -> str:
    """Escape text for HTML and turn `code` spans into <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _attrs(attrs: dict[str, str]) -> str:
    """HTML attributes, values escaped."""
    return "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())


def _html_table(t: Table) -> str:
    """A table as HTML; cells with attributes are numbers (right-aligned)."""
    head = "".join(f"<th>{_inline(c)}</th>" for c in t.columns)
    body = []
    for i, row in enumerate(t.rows):
        cells = []
        for j, c in enumerate(row):
            a = t.attrs[i][j] if i < len(t.attrs) and j < len(t.attrs[i]) else {}
            cls = ' class="num"' if a else ""
            cells.append(f"<td{cls}{_attrs(a)}>{_inline(c)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{html.escape(t.id, quote=True)}"' if t.id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"


def _html_block(b: Block) -> str:
    """One block as HTML; an image becomes a figure with a base64 data URI."""
    if isinstance(b, Heading):
        return f"<h{b.level}>{_inline(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        return f"<p>{_inline(b.text)}</p>"
    if isinstance(b, Bullets):
        return "<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, Table):
        return _html_table(b)
    data = base64.b64encode(b.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(b.caption, quote=True)}">'
            f"<figcaption>{_inline(b.caption)}</figcaption></figure>")


def to_html(blocks: list[Block], title: str) -> str:
    """The blocks as one self-contained HTML page (images embedded as base64 PNG data URIs)."""
    body = "\n".join(_html_block(b) for b in blocks)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n")
