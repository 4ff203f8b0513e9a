"""End to end in a real browser: the demo database's report in headless Chromium.

Screenshots at a desktop and a phone size, and the DOM after the page's script ran: the
charts are there with their labels, nothing overflows a phone's width, the console is
silent (no script error, no load refused by the Content-Security-Policy). Skipped only when
no Chromium or Chrome binary exists (`.ci/run` installs Debian's `chromium` with apt).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from .test_report_data import demo_db  # noqa: F401  (the module's demo database)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
DESKTOP, PHONE = (1280, 2400), (390, 2400)
# Test-only probe, added to a copy of the page: records whether the page is wider than the
# window (a phone would scroll sideways).
PROBE = (
    "window.addEventListener('load', function () { var d = document.documentElement;"
    " d.setAttribute('data-overflow', String(d.scrollWidth > window.innerWidth)); });"
)


def browser_binary() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(f"no browser binary ({', '.join(BROWSERS)}); apt-get install chromium")


@pytest.fixture(scope="module")
def page_file(demo_db) -> Path:  # noqa: F811
    """The report `runwear demo` wrote beside its database."""
    page = demo_db.parent / "runwear-report.html"
    assert page.is_file()
    return page


def run_browser(tmp_path: Path, size: tuple[int, int], *args: str) -> subprocess.CompletedProcess:
    command = [
        browser_binary(),
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={size[0]},{size[1]}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def console_lines(stderr: str) -> list[str]:
    """What the page wrote to the console (errors, CSP refusals), from Chromium's log."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_size_and_variety(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the image data) of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots(tmp_path, page_file, size):
    shot = tmp_path / "shot.png"
    result = run_browser(tmp_path, size, f"--screenshot={shot}", page_file.as_uri())
    assert console_lines(result.stderr) == []
    width, height, variety = png_size_and_variety(shot)
    assert (width, height) == size
    assert variety > 100, "the screenshot is (nearly) blank"


def test_dom_after_load_holds_every_chart_and_label(tmp_path, page_file):
    result = run_browser(tmp_path, DESKTOP, "--dump-dom", page_file.as_uri())
    assert console_lines(result.stderr) == []
    dom = result.stdout
    assert re.search(r'<html lang="en" data-js="ready"', dom), "the page's script did not run"
    assert len(re.findall(r'<svg class="chart ', dom)) == 9
    for shoe in ("Novablast", "Pegasus", "Speedgoat"):
        assert f'data-shoe="{shoe}"' in dom
    assert "limit 700" in dom and "limit 600" in dom
    assert dom.count('class="load-bar') == 16 and 'class="load-bar break"' in dom
    assert 'class="break-mark"' in dom
    assert 'class="share-line concrete"' in dom and 'class="share-line hard"' in dom
    assert dom.count('<polyline class="run"') == 16
    assert re.search(r'<g class="scale-bar">.*?\d+ (k?m)</text>', dom)
    assert 'data-kind="shoe_retire"' in dom and 'data-kind="concrete_share"' in dom
    assert "runwear 0." in dom or "runwear unknown" in dom


def test_nothing_overflows_a_phone(tmp_path, page_file):
    html = page_file.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    assert html.count("script-src ") == 1  # in the CSP meta tag
    probed = html.replace("script-src ", f"script-src &#39;sha256-{digest}&#39; ")
    probed = probed.replace("</body>", f"<script>{PROBE}</script></body>")
    copy = tmp_path / "probed.html"
    copy.write_text(probed, encoding="utf-8")
    result = run_browser(tmp_path, PHONE, "--dump-dom", copy.as_uri())
    assert console_lines(result.stderr) == []
    assert 'data-overflow="false"' in result.stdout


def test_prints_on_a4(tmp_path, page_file):
    pdf = tmp_path / "report.pdf"
    result = run_browser(
        tmp_path, DESKTOP, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page_file.as_uri()
    )
    assert console_lines(result.stderr) == []
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert 2 <= len(boxes) <= 8, f"{len(boxes)} pages"
    for width, height in boxes:  # A4 is 210 x 297 mm: 595 x 842 points
        assert (round(float(width)), round(float(height))) == (595, 842)
