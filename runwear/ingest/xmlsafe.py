"""XML safety shared by the GPX and TCX readers: the prolog is checked before any parser runs.

A DOCTYPE with an internal subset (where entities are declared) or an external DTD is refused,
so no entity can be expanded or fetched, whichever XML parser reads the text afterwards. HTML
pages saved under an activity file's name are named for what they are.
"""

from __future__ import annotations

import re

from runwear.ingest.model import IngestError

RETRY = "Export the activity again"

_NAME = re.compile(r"[^\s/>]+")
_NON_SPACE = re.compile(r"\S")


def check_prolog(text: str, fmt: str) -> str:
    """The root element's name, once the prolog holds no entity, DTD or HTML; `fmt` is "GPX"..."""
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
            i = _check_doctype(text, i, fmt)
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
        raise IngestError(
            f"the file declares XML entities or an external DTD (<!DOCTYPE ...>), which {fmt} "
            "never uses and hostile files use to read other files or exhaust memory. Refusing to "
            f"read it. {RETRY} from the app or watch"
        )
    return close + 1


def html_error(fmt: str) -> IngestError:
    """The error for a web page saved under an activity file's name."""
    return IngestError(
        f"not {fmt}: the file is an HTML web page (a login or error page saved as "
        f".{fmt.lower()}?). Download the activity's {fmt} again"
    )
