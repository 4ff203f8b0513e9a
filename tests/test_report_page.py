"""The report page: valid HTML, no remote URL anywhere, well-formed SVG, and the command."""

from __future__ import annotations

import base64
import hashlib
import re
import webbrowser
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.report import svg
from runwear.report.data import WeekView, build_report
from runwear.report.page import render_page
from runwear.report.palette import PALETTE
from runwear.store import Settings, load_settings, memory_db, open_db

from .test_report_data import demo_db  # noqa: F401  (the module's demo database)

VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "col", "area", "base"}
SVG_VOID = {"rect", "line", "polyline", "circle", "path"}  # written self-closed in the SVG


class PageParser(HTMLParser):
    """Every tag opened and closed in order, every URL-bearing attribute, the CSP."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.csp: str | None = None
        self.script = ""
        self._in_script = False
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href", "xlink:href", "action"}]
        if found.get("style"):
            self.urls += re.findall(r"url\((.*?)\)", found["style"])
        if found.get("id"):
            self.ids.append(found["id"])
        if tag == "meta" and found.get("http-equiv") == "Content-Security-Policy":
            self.csp = found["content"]
        self._in_script = tag == "script"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.urls += [v or "" for k, v in attrs if k in {"src", "href", "xlink:href"}]

    def handle_endtag(self, tag):
        self._in_script = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self._in_script:
            self.script += data


@pytest.fixture(scope="module")
def page(demo_db) -> str:  # noqa: F811
    db = open_db(demo_db)
    html = render_page(build_report(db, load_settings(db), demo_db), load_settings(db))
    db.close()
    return html


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def test_page_parses_with_every_tag_closed(page):
    parsed = parse(page)
    assert parsed.errors == []
    assert parsed.stack == []
    assert page.startswith("<!doctype html>")
    for part in ("warnings", "shoes", "load", "surfaces", "map", "footer"):
        assert part in parsed.ids


def test_no_remote_url_anywhere(page):
    parsed = parse(page)
    assert parsed.urls, "the page has its in-page links"
    assert all(url.startswith("#") for url in parsed.urls), parsed.urls
    assert "url(" not in page
    assert re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.I) is None
    assert "@import" not in page and "@font-face" not in page


def test_csp_forbids_every_remote_load_and_allows_only_the_page_script(page):
    parsed = parse(page)
    assert parsed.csp is not None
    directives = dict(d.strip().split(" ", 1) for d in parsed.csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "'none'" and directives["connect-src"] == "'none'"
    digest = base64.b64encode(hashlib.sha256(parsed.script.encode()).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert "http" not in parsed.csp


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def test_every_svg_is_well_formed_with_title_and_desc(page):
    charts = svgs(page)
    # 2 per active shoe (bar and line), load, surfaces, map
    assert len(charts) == 2 * 3 + 3
    for chart in charts:
        assert chart.find("title") is not None and chart.find("title").text
        assert chart.find("desc") is not None and chart.find("desc").text
        assert chart.get("viewBox")


def test_charts_hold_their_figures(page):
    charts = {c.get("class").split()[1]: c for c in svgs(page)}
    bars = charts["load-chart"].findall("rect")
    assert len(bars) == 16
    tips = [b.findtext("title") for b in bars]
    # which weeks break a rule depends on how the demo season (dated from today) falls on
    # Monday weeks: each bar is marked exactly when its tip says which rule it broke
    broke = ("add no more than", "linked to running injuries", "make the next week an easy")
    marked = ["break" in b.get("class") for b in bars]
    assert marked == [any(words in t for words in broke) for t in tips]
    assert 1 <= sum(marked) <= 4
    assert all(" km, " in t and " runs, " in t for t in tips)
    stacks = charts["surface-chart"].findall("rect")
    assert {s.get("fill") for s in stacks if s.get("data-surface") == "concrete"} == {
        PALETTE["concrete"].hex
    }
    lines = charts["map"].findall("polyline")
    assert len(lines) == 16
    for line in lines:
        assert line.get("stroke") == PALETTE[line.get("data-surface")].hex
    (park,) = charts["map"].findall("circle")
    assert park.get("class") == "place" and park.get("fill") == PALETTE["grass"].hex
    assert park.findtext("title") == "Castle Park: place, grass"
    assert charts["map"].find("g").get("class") == "scale-bar"
    assert charts["map"].find("g/text").text.endswith(("m", "km"))


def test_same_surface_colours_in_the_legends_and_tables(page):
    for surface in ("concrete", "asphalt", "grass"):
        assert f"background:{PALETTE[surface].hex}" in page
    assert "rgba(209, 73, 91," in page  # concrete shading in the shoe x surface table


def test_retired_shoes_are_folded_away(tmp_path):
    db_path = tmp_path / "r.db"
    db = open_db(db_path)
    db["shoes"].insert({"name": "Old", "start_distance_m": 750_000.0, "retired_on": "2026-01-01"})
    db["shoes"].insert({"name": "New", "start_distance_m": 10_000.0})
    html = render_page(build_report(db, Settings(), db_path), Settings())
    db.close()
    retired = re.search(r'<details class="retired">(.*?)</details>', html, re.S)
    assert retired and "Old" in retired.group(1) and "New" not in retired.group(1)
    assert 'data-shoe="New"' in html and 'data-shoe="Old"' not in html


def test_names_are_escaped(tmp_path):
    db = memory_db()
    db["shoes"].insert({"name": "<script>alert(1)</script>", "start_distance_m": 1.0})
    html = render_page(build_report(db, Settings(), Path("x")), Settings())
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    for chart in svgs(html):
        assert chart is not None


def test_empty_database_page(tmp_path):
    html = render_page(build_report(memory_db(), Settings(), Path("x.db")), Settings())
    assert parse(html).errors == []
    assert "No active shoes." in html and "No run with a track." in html
    assert "No week broke a load rule." in html


def test_report_command_writes_the_file_and_prints_its_path(tmp_path, monkeypatch, demo_db):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "report", "--open"])
    assert result.exit_code == 0, result.output
    page = tmp_path / "runwear-report.html"
    assert result.output == f"{page.resolve()}\n"
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert opened == [page.resolve().as_uri()]


def test_report_to_stdout_and_as_of(demo_db):  # noqa: F811
    args = ["--db", str(demo_db), "report", "--out", "-", "--as-of", "2026-01-01", "--weeks", "4"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert result.output.startswith("<!doctype html>")
    assert "As of 2026-01-01" in result.output  # before the season: no run yet
    assert "No run with a track." in result.output
    kinds = re.findall(r'<li class="\w+" data-kind="(\w+)"', result.output)
    check = CliRunner().invoke(cli, ["--db", str(demo_db), "check", "--as-of", "2026-01-01"])
    findings = [x for x in check.output.splitlines() if x.split()[0] in ("ALERT", "WARN", "info")]
    assert kinds == [line.split()[1].rstrip(":") for line in findings]
    assert "concrete_share" not in kinds


def test_report_to_a_folder_that_is_not_there(tmp_path):
    out = tmp_path / "missing" / "r.html"
    result = CliRunner().invoke(cli, ["report", "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write the report ({out}): No such file or directory. "
        "Pass another file with --out\n"
    )


def test_load_chart_counts_below_bars_only_while_they_fit():
    def weeks(n: int) -> list[WeekView]:
        start = date(2026, 1, 5)
        return [
            WeekView(f"W{i}", start + timedelta(weeks=i), 7, 10.0, 3, 4, None, None, None, [])
            for i in range(n)
        ]

    few, many = ET.fromstring(svg.load_bars(weeks(26))), ET.fromstring(svg.load_bars(weeks(27)))
    assert [t.text for t in few.findall("text")].count("runs") == 1
    assert len(few.findall("text[@class='axis small']")) == 2 * 26
    assert "runs" not in [t.text for t in many.findall("text")]
    assert many.findall("text[@class='axis small']") == []
    assert len(many.findall("rect")) == 27
