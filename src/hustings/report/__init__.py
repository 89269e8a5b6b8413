"""The audit as files people open: a self-contained HTML report, PNG charts, CSV and JSON.

:func:`write_report` takes a :class:`hustings.metrics.Scorecard` and writes ``report.html``
(offline, charts inline), ``charts/*.png``, ``accounts.csv`` (``platform``, ``handle``, then
one column per metric id), ``groups.csv`` (per party, role and riding) and every other table
as CSV and JSON.
"""

from hustings.report._write import ACCOUNT_LEADING_COLUMNS, account_table, write_report

__all__ = ["ACCOUNT_LEADING_COLUMNS", "account_table", "write_report"]
