"""Reading the dashboard's server-rendered tables in database tests: each
<table id=...> as rows of cells, a cell being its text (tags dropped,
entities decoded, spaces collapsed), its first link and the class of its
first badge. Also every <section> with its h2 and its text."""
import html.parser
import re


class Page(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tables = {}
        self.sections = []
        self.links = []
        self._table = None
        self._row = None
        self._cell = None
        self._in_head = False
        self._section = None
        self._h2 = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "section":
            self._section = {"heading": None, "text": []}
            self.sections.append(self._section)
        elif tag == "h2" and self._section is not None:
            self._h2 = []
        elif tag == "table":
            self._table = {"id": a.get("id"), "headers": [], "rows": []}
            if a.get("id"):
                self.tables[a["id"]] = self._table
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._row = {"data": {k[5:]: v for k, v in a.items() if k.startswith("data-")}, "cells": []}
            self._table["rows"].append(self._row)
        elif tag in ("td", "th") and self._table is not None:
            self._cell = {"text": [], "href": None, "badge": None, "cls": a.get("class")}
        elif self._cell is not None:
            if tag == "a" and self._cell["href"] is None:
                self._cell["href"] = a.get("href")
            cls = a.get("class") or ""
            if "badge" in cls.split() and self._cell["badge"] is None:
                self._cell["badge"] = cls

    def handle_endtag(self, tag):
        if tag == "h2" and self._h2 is not None:
            self._section["heading"] = " ".join("".join(self._h2).split())
            self._h2 = None
        elif tag == "section":
            if self._section is not None:
                self._section["text"] = " ".join("".join(self._section["text"]).split())
            self._section = None
        elif tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr":
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = " ".join("".join(self._cell["text"]).split())
            if self._in_head:
                self._table["headers"].append(self._cell["text"])
            elif self._row is not None:
                self._row["cells"].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"].append(data)
        if self._h2 is not None:
            self._h2.append(data)
        if self._section is not None and isinstance(self._section["text"], list):
            self._section["text"].append(data)

    def table(self, table_id):
        assert table_id in self.tables, f"no table {table_id!r}; tables: {sorted(self.tables)}"
        return self.tables[table_id]

    def rows(self, table_id):
        """The table's rows as {header: cell}."""
        t = self.table(table_id)
        return [dict(zip(t["headers"], r["cells"])) for r in t["rows"]]

    def texts(self, table_id, headers):
        return [[r[h]["text"] for h in headers] for r in self.rows(table_id)]

    def headings(self):
        return [s["heading"] for s in self.sections]


DASH = "\u2014"


def cell(value):
    """A database value (psql's text, '' for NULL) as a cell shows it."""
    return DASH if value == "" else value


def hrefs(page_text, pattern):
    return re.findall(pattern, page_text)
