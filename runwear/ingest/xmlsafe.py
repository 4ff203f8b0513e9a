"""XML safety shared by the XML readers: the prolog is checked before any parser runs.

For GPX and TCX (`check_prolog`), a DOCTYPE with an internal subset (where entities are
declared) or an external DTD is refused; Apple Health's export.xml (`check_prolog_declarations`)
may declare elements and attributes in its subset, nothing else,
so no entity can be expanded or fetched, whichever XML parser reads the text afterwards. HTML
pages saved under an activity file's name are named for what they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from runwear.ingest.model import IngestError

RETRY = "Export the activity again"

_NAME = re.compile(r"[^\s/>]+")
_NON_SPACE = re.compile(r"\S")


def check_prolog(text: str, fmt: str) -> str:
    """The root element's name, once the prolog holds no entity, DTD or HTML; `fmt` is "GPX"..."""
    return _root(text, fmt, _check_doctype)


def check_prolog_declarations(text: str, fmt: str) -> str:
    """As `check_prolog`, but a DOCTYPE's internal subset may declare elements and attributes.

    Apple Health's export.xml opens so. Only `<!ELEMENT`, `<!ATTLIST` and comments may stand in
    the subset: any `<!ENTITY`, `<!NOTATION`, processing instruction, parameter entity (`%`)
    or external DTD (SYSTEM / PUBLIC) is refused, so still no entity can be declared.
    """
    return _root(text, fmt, _check_declaring_doctype)


def _root(text: str, fmt: str, doctype: Callable[[str, int, str], int]) -> str:
    """The root element's name after the prolog, each DOCTYPE checked by `doctype`."""
    i, n = 0, len(text)
    while True:
        visible = _NON_SPACE.search(text, i)
        if visible is None:
            raise IngestError(f"the file holds no XML element. {RETRY}")
        i = visible.start()
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            i = n if end < 0 else end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = n if end < 0 else end + 3
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            i = doctype(text, i, fmt)
        elif text.startswith("<", i):
            match = _NAME.match(text, i + 1)
            root = match.group() if match else ""
            if root.rpartition(":")[2].lower() == "html":
                raise html_error(fmt)
            return root
        else:
            start = text[i : i + 1]
            hint = " (it looks like JSON)" if start in "{[" else ""
            raise IngestError(f"not XML: the file does not start with '<'{hint}. {RETRY}")


def _check_doctype(text: str, start: int, fmt: str) -> int:
    """Check the DOCTYPE at `start` and return where it ends; refuse entities and DTDs."""
    close = text.find(">", start)
    header = text[start : close if close >= 0 else len(text)]
    name = header[9:].split()
    if name and name[0].lower() == "html":
        raise html_error(fmt)
    keywords = header.upper()
    if close < 0 or "[" in header or "SYSTEM" in keywords or "PUBLIC" in keywords:
        raise _entities_error(fmt)
    return close + 1


_DECLARATIONS = ("<!ELEMENT", "<!ATTLIST")


def _check_declaring_doctype(text: str, start: int, fmt: str) -> int:
    """Check a DOCTYPE whose subset may declare elements and attributes; return where it ends."""
    n = len(text)
    i = start + 9
    while i < n and text[i] not in "[>":
        i += 1
    header = text[start:i]
    name = header[9:].split()
    if name and name[0].lower() == "html":
        raise html_error(fmt)
    keywords = header.upper()
    if i >= n or "SYSTEM" in keywords or "PUBLIC" in keywords or "%" in header:
        raise _entities_error(fmt)
    if text[i] == ">":
        return i + 1
    i += 1  # inside the internal subset
    while True:
        visible = _NON_SPACE.search(text, i)
        if visible is None:
            raise _entities_error(fmt)
        i = visible.start()
        if text.startswith("]", i):
            close = _NON_SPACE.search(text, i + 1)
            if close is None or text[close.start()] != ">":
                raise _entities_error(fmt)
            return close.start() + 1
        if text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                raise _entities_error(fmt)
            i = end + 3
        elif text[i : i + 9].upper() in _DECLARATIONS:
            i = _declaration_end(text, i + 9, fmt)
        else:
            raise _entities_error(fmt)


def _declaration_end(text: str, i: int, fmt: str) -> int:
    """Where an <!ELEMENT or <!ATTLIST declaration ends, quotes honoured; `%` is refused."""
    quote = ""
    for j in range(i, len(text)):
        c = text[j]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "%":
            raise _entities_error(fmt)
        elif c == ">":
            return j + 1
    raise _entities_error(fmt)


def _entities_error(fmt: str) -> IngestError:
    """The error for a DOCTYPE that declares entities or names an external DTD."""
    return IngestError(
        f"the file declares XML entities or an external DTD (<!DOCTYPE ...>), which {fmt} "
        "never uses and hostile files use to read other files or exhaust memory. Refusing to "
        f"read it. {RETRY} from the app or watch"
    )


def html_error(fmt: str) -> IngestError:
    """The error for a web page saved under an activity file's name."""
    return IngestError(
        f"not {fmt}: the file is an HTML web page (a login or error page saved as "
        f".{fmt.lower()}?). Download the activity's {fmt} again"
    )
