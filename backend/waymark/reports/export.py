"""A report as CSV: the step table, safe to open in a spreadsheet, under a safe file name."""
import csv
import io

from ..runs import DROP_OUTCOMES

CSV_COLUMNS = ("step_index", "step_id", "title", "reached", "completed",
               *(f"dropped_{kind}" for kind in DROP_OUTCOMES), "drop_rate", "p50_ms", "p90_ms")


def report_csv(report):
    """The report's steps as CSV, a header row then a row per step::

        step_index,step_id,title,reached,completed,dropped_dismissed,dropped_abandoned,dropped_broken,drop_rate,p50_ms,p90_ms
        0,new-report,Start a report,5,4,0,0,1,0.2,3000,9000
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for step in report["steps"]:
        dropped, times = step["dropped"], step["time_ms"]
        writer.writerow([step["index"], csv_safe(step["step_id"]), csv_safe(step["title"]),
                         step["reached"], step["completed"], *(dropped[kind] for kind in DROP_OUTCOMES),
                         step["drop_rate"], _blank(times["p50"]), _blank(times["p90"])])
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


def csv_safe(text):
    """Author or employee text opened in a spreadsheet must not run as a formula (CSV injection)."""
    if text is None:
        return ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_filename(*parts):
    """``waymark-<part>-<part>.csv``, each part cut down to letters, digits, ``-`` and ``_``
    (a guide id may hold anything a header or a file system would choke on)."""
    cleaned = ("".join(c if c.isalnum() or c in "-_" else "_" for c in part) for part in parts)
    return "waymark-" + "-".join(cleaned) + ".csv"
