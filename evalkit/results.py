"""The shape every table-valued statistic returns: named fields, ``summary()``, ``summary_frame()``.

Like the package's other results (:class:`evalkit.synthesis.result.MetaResult`,
:class:`evalkit.reliability.ReliabilityResult`), a :class:`TableResult` is a frozen dataclass:
its fields say how it was computed, :meth:`~TableResult.summary_frame` gives the tidy table and
:meth:`~TableResult.summary` a plain-text one; a notebook shows it as an accessible HTML table.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, fields

import pandas as pd


@dataclass(frozen=True, eq=False)
class TableResult:
    """Base of results whose main output is one table.

    Attributes
    ----------
    table : pandas.DataFrame
        The result table (:meth:`summary_frame` returns a copy).
    """

    table: pd.DataFrame

    title = "Result"

    def summary_frame(self) -> pd.DataFrame:
        """Return the result table (a copy: changing it leaves the result as it was)."""
        return self.table.copy()

    def settings(self) -> dict:
        """The fields other than the table: how the result was computed."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "table"}

    def summary(self, digits: int = 4) -> str:
        """Return a plain-text summary: the title, the settings and the table.

        Parameters
        ----------
        digits : int, default 4
            Decimal places of floating-point columns.
        """
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        table = self.table.to_string(float_format=lambda x: f"{x:.{digits}f}")
        return f"{self.title} ({settings})\n\n{table}"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Accessible HTML table for Jupyter, the settings in its caption."""
        settings = ", ".join(f"{k} = {v}" for k, v in self.settings().items())
        caption = f"<caption>{html.escape(self.title)} ({html.escape(settings)})</caption>"
        return self.table.to_html(escape=True).replace("<thead>", caption + "<thead>", 1)

    # ---- temporary: the table's own attributes, for code written for the bare table ----------
