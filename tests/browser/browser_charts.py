"""What the browser tests ask of a chart in every look: charts.js drew it
(its figure says so), its canvas holds painted pixels, and each line it says
it drew is there in that line's colour; the colours follow the colour scheme,
so the light and dark looks draw in different ones."""
from browser_report import LOOKS, visit

# A line across a 200-pixel-high plot covers far more than this.
MIN_LINE_PIXELS = 40


def chart_problems(browsed, page, ids):
    """Problems with the charts ids on page, in every look; [] when all drew."""
    problems, colours = [], {}
    for look in LOOKS:
        charts = {c["id"]: c for c in visit(browsed, page, look["name"])["charts"]}
        where = f"{page} ({look['name']})"
        if sorted(charts) != sorted(ids):
            problems.append(f"{where}: charts {sorted(charts)}, expected {sorted(ids)}")
            continue
        for cid in ids:
            c = charts[cid]
            if not c["drawn"] or not c["canvas"]:
                problems.append(f"{where}: {cid} was not drawn")
                continue
            if c["painted"] < 1000:
                problems.append(f"{where}: {cid}'s canvas is blank ({c['painted']} pixels painted)")
            if int(c["drawn"]) != len(c["lines"]) or not c["lines"]:
                problems.append(f"{where}: {cid} drew {c['drawn']} lines, coloured {c['colors']}")
            for line in c["lines"]:
                if line["pixels"] < MIN_LINE_PIXELS:
                    problems.append(f"{where}: {cid}'s {line['color']} line has {line['pixels']} pixels")
            colours.setdefault(look["scheme"], set()).add(tuple(c["colors"]))
    if not problems and colours.get("light") == colours.get("dark"):
        problems.append(f"{page}: the charts use the same colours in light and dark: {colours}")
    return problems
