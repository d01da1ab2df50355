"""The report as CSV, one row per post, in the reader's language and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from app.campaigns.strategies import STRATEGIES
from app.common.time import to_zone
from app.outcomes.reports import Report
from app.trends.exporting import neutralise


def report_csv(report: Report, zone: str) -> str:
    """Rows a communications officer can send on: formula-like cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Post"),
            _("Posted at (%(zone)s)", zone=zone),
            _("Channel"),
            _("Organisation"),
            _("Strategy"),
            _("Language"),
            _("Likes"),
            _("Reposts"),
            _("Replies"),
            _("Quotes"),
            _("Interactions"),
            _("Counts read at"),
            _("Address"),
            _("Text"),
        ]
    )
    for line in report.lines:
        sample = line.latest
        strategy = STRATEGIES.get(line.message.strategy)
        posted = to_zone(line.post.posted_at, zone)
        read = to_zone(sample.collected_at, zone) if sample else None
        row = [
            line.post.id,
            posted.strftime("%Y-%m-%d %H:%M") if posted else "",
            line.channel.display_name,
            line.channel.organisation.name,
            _(strategy.label) if strategy else line.message.strategy,
            line.message.language,
            sample.likes if sample else "",
            sample.reposts if sample else "",
            sample.replies if sample else "",
            "" if sample is None or sample.quotes is None else sample.quotes,
            sample.total if sample else "",
            read.strftime("%Y-%m-%d %H:%M") if read else "",
            line.post.remote_url or "",
            line.post.text,
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
