"""`because` and `to_change` templates: text with {fact} slots, filled by plain lookup, never formatted."""

from __future__ import annotations

from typing import Any

from imr_rules.regexes import compile as _rx_compile

_PLACEHOLDER = _rx_compile(r"\{\{|\}\}|\{([^{}]*)\}")


def template_facts(text: str) -> list[str]:
    """Fact names a `because` / `to_change` template inserts ({name}; {{ and }} are literal braces)."""
    return [m.group(1).strip() for m in _PLACEHOLDER.finditer(text) if m.group(1) is not None]


Template = tuple[str | tuple[str], ...]


def template_pieces(text: str) -> Template:
    """A template split once into literal text and (fact name,) slots."""
    pieces: list[str | tuple[str]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(text[pos:match.start()])
        token = match.group(0)
        pieces.append(token[0] if token in ("{{", "}}") else (match.group(1).strip(),))
        pos = match.end()
    pieces.append(text[pos:])
    return tuple(piece for piece in pieces if piece != "")


def fill_pieces(pieces: Template, values: Any) -> str:
    """Fill template slots by plain lookup of the fact name: no attribute access, no format spec."""
    return "".join(p if isinstance(p, str) else values.get(p[0], "not documented") for p in pieces)


def fill_template(text: str, values: Any) -> str:
    """Insert fact values into a template ({fact}; {{ and }} are literal braces)."""
    return fill_pieces(template_pieces(text), values)
