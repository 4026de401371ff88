"""Reading the browser's report in the tests: one visit, one table, a row's cells, and
the database's values written as the pages write them."""
import time

# What a cell shows for a value the database does not have (SQL NULL).
DASH = "\u2014"

LOOKS = [
    {"name": "desktop", "width": 1366, "height": 900, "scheme": "light", "mobile": False},
    {"name": "desktop-dark", "width": 1366, "height": 900, "scheme": "dark", "mobile": False},
    {"name": "phone", "width": 390, "height": 844, "scheme": "light", "mobile": True},
    {"name": "phone-dark", "width": 390, "height": 844, "scheme": "dark", "mobile": True},
]
# The pages these tests check figure by figure; any other page the header
# links to is still loaded, screenshotted and checked for errors.
KNOWN_PAGES = ["/", "/da", "/alerts", "/bridges", "/fees", "/rollups", "/channels"]


def visit(report, page, look="desktop"):
    """The one visit of page in look."""
    found = [v for v in report["visits"] if v["page"] == page and v["look"] == look]
    assert len(found) == 1, f"{page} was visited {len(found)} times as {look}"
    return found[0]


def table(visit_, heading):
    """The one table of the page under the section headed heading."""
    found = [t for t in visit_["data"]["tables"] if t["heading"] == heading]
    assert len(found) == 1, f"{visit_['page']}: {len(found)} tables headed {heading!r}"
    return found[0]


def table_by_id(visit_, table_id):
    found = [t for t in visit_["data"]["tables"] if t["id"] == table_id]
    assert len(found) == 1, f"{visit_.get('page', visit_.get('url'))}: {len(found)} tables with id {table_id!r}"
    return found[0]


def texts(row):
    return [c["text"] for c in row["cells"]]


def by_header(table_):
    """The table's rows as {header text: cell}, so a column added to a page
    moves no check."""
    return [dict(zip(table_["headers"], row["cells"])) for row in table_["rows"]]


def cell(value):
    """A database value (psql's text, '' for NULL) as a cell shows it."""
    return DASH if value == "" else value


def epoch(column):
    """SQL for a timestamptz column as whole unix seconds, cut as the pages'
    to_char cuts them."""
    return f"floor(extract(epoch FROM {column}))::bigint"


def utc(seconds):
    """Unix seconds as the pages write a time."""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(int(seconds)))
