"""Rich text of tickets, replies and articles: every body is sanitised (nh3, an allow-list) before
it is stored, so a page can show it as HTML and no script, style or event handler ever runs."""

from __future__ import annotations

import html
import re

import nh3

__all__ = ["html_to_text", "rich_text"]

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
    "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
MAX_LENGTH = 200_000


def rich_text(text: str | None) -> str:
    """Sanitised HTML. Plain text (no tags) is escaped and its paragraphs and lines kept."""
    text = (text or "").replace("\x00", "")[:MAX_LENGTH].strip()
    if not text:
        return ""
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in p.strip().split("\n")) + "</p>"
            for p in paragraphs
        )
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def html_to_text(value: str) -> str:
    """A plain-text rendering for e-mail bodies and search snippets."""
    value = re.sub(r"(?i)<br\s*/?>", "\n", value or "")
    value = re.sub(r"(?i)</(p|div|li|h[1-6]|tr|blockquote)>", "\n", value)
    value = re.sub(r"<[^>]+>", "", value)
    value = html.unescape(value)
    return re.sub(r"\n{3,}", "\n\n", value).strip()
