"""Framework matrix (Framework Method; Gale et al. 2013, BMC Med Res Methodol 13:117).

Projects are rows, themes columns; each cell holds how many responses raised the theme (n and
% of the project's responses), a short summary and one representative quote. Quotes pass
through a ``redact`` callable and are withheld from cells whose count is suppressed, since a
quote from one of three people may identify them.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from evalkit.compare.profiles import require_columns, theme_counts
from evalkit.figures import SEQUENTIAL_CMAP, FigureWithAlt, new_figure
from evalkit.privacy.suppression import SUPPRESSED, SuppressionPolicy, policy_or_default
from evalkit.xlsx import cell_text, fit_row_heights, print_fit_to_width, save_workbook

_QUOTE_CHARS = 240


def default_redact(text: str, names=()) -> str:
    """Redact personal details with :func:`evalkit.privacy.redact.redact` (imported lazily)."""
    from evalkit.privacy.redact import redact

    return redact(text, names=names)


def long_texts(survey: pd.DataFrame, text_columns, *, response_column: str = "response_id",
               project_column: str = "project_id") -> pd.DataFrame:
    """Melt free-text columns into one row per (response, column) answer, blanks dropped.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    text_columns : sequence of str
        Free-text columns.
    response_column, project_column : str
        Column names kept on every row.

    Returns
    -------
    pandas.DataFrame
        ``response_id, project_id, column, text``.
    """
    require_columns(survey, [response_column, project_column, *text_columns], "long_texts")
    out = survey.melt(id_vars=[response_column, project_column], value_vars=list(text_columns),
                      var_name="column", value_name="text")
    out = out[out["text"].notna() & (out["text"].astype(str).str.strip() != "")]
    return out.sort_values([response_column, "column"], kind="stable").reset_index(drop=True)


def representative_quote(texts: pd.Series, other_themes: pd.Series) -> str | None:
    """Pick one representative answer: fewest other themes, then length nearest the median.

    Parameters
    ----------
    texts : pandas.Series
        Candidate answers that carry the theme.
    other_themes : pandas.Series
        Number of *other* themes coded on each answer (same index); answers focused on the
        theme represent it best.

    Returns
    -------
    str or None
        The chosen answer (ties broken by the order given), None when there is none.
    """
    if texts.empty:
        return None
    lengths = texts.astype(str).str.len()
    frame = pd.DataFrame({"text": texts.astype(str), "others": other_themes,
                          "gap": (lengths - lengths.median()).abs(), "order": range(len(texts))})
    best = frame.sort_values(["others", "gap", "order"], kind="stable").iloc[0]["text"]
    return best if len(best) <= _QUOTE_CHARS else best[:_QUOTE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class FrameworkMatrix:
    """Projects x themes, each cell with prevalence, a summary and a quote.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per project x theme: project, theme, label, n (display), n % (display),
        responses (display), summary, quote.
    raw : pandas.DataFrame
        Exact working counts (project, theme, n, responses, rounded_n, rounded_responses,
        percent) used by the heatmap; rounded columns follow the policy, NaN when hidden.
    policy : SuppressionPolicy
        The suppression policy applied.
    project_column : str
        Name of the project column.
    """

    cells: pd.DataFrame
    raw: pd.DataFrame
    policy: SuppressionPolicy
    project_column: str

    def matrix(self) -> pd.DataFrame:
        """Wide display matrix: one row per project, one column per theme label, text cells."""
        text = self.cells.apply(_cell_text, axis=1)
        wide = self.cells.assign(text=text).pivot(index=self.project_column, columns="label",
                                                  values="text")
        wide.columns.name = None
        return wide[list(dict.fromkeys(self.cells["label"]))]

    def summary_frame(self) -> pd.DataFrame:
        """The long display table (``cells``)."""
        return self.cells.copy()

    def heatmap(self, title: str = "How often each theme came up, by project") -> FigureWithAlt:
        """Heatmap of theme prevalence (cividis) with n and % printed in every cell.

        Returns
        -------
        FigureWithAlt
            Hidden cells are drawn hatched and marked ``*``.
        """
        pct = self.raw.pivot(index=self.project_column, columns="label", values="percent")
        pct = pct[list(dict.fromkeys(self.raw["label"]))]
        text = (self.cells["n %"] + "\nn=" + self.cells["n"]).where(
            self.cells["n"] != SUPPRESSED, SUPPRESSED)
        shown = self.cells.assign(shown=text).pivot(
            index=self.project_column, columns="label", values="shown")
        fig, ax = new_figure(1.1 * pct.shape[1] + 2.5, 0.55 * pct.shape[0] + 2.2)
        masked = np.ma.masked_invalid(pct.to_numpy(dtype=float))
        image = ax.imshow(masked, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=100, aspect="auto")
        ax.set_facecolor("#EEEEEE")
        for (i, j), value in np.ndenumerate(pct.to_numpy(dtype=float)):
            label = shown.loc[pct.index[i], pct.columns[j]]
            if np.isnan(value):
                ax.add_patch(_hatched_cell(j, i))
            colour = "black" if np.isnan(value) or value > 55 else "white"
            ax.text(j, i, label, ha="center", va="center", color=colour, fontsize=9)
        ax.set_xticks(range(pct.shape[1]), pct.columns, rotation=40, ha="right")
        ax.set_yticks(range(pct.shape[0]), pct.index)
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, label="% of the project's responses")
        ax.set_title(title)
        fig.tight_layout()
        return FigureWithAlt(fig, self.alt_text(), title)

    def alt_text(self) -> str:
        """Plain-language description of the matrix from the (rounded) data."""
        raw = self.raw.dropna(subset=["percent"])
        if raw.empty:
            return "Every theme count was too small to show."
        lines = []
        overall = raw.groupby("label")["percent"].mean().sort_values(ascending=False,
                                                                     kind="stable")
        k = self.raw[self.project_column].nunique()
        where = f"Across {k} projects" if k != 1 else "In the one project"
        least = (f"the least common '{overall.index[-1]}' ({overall.iloc[-1]:.0f}%)" if overall.iloc[-1] > 0
                 else f"'{overall.index[-1]}' was not raised")
        lines.append(f"{where} the most common theme was '{overall.index[0]}' (on average "
                     f"{overall.iloc[0]:.0f}% of a project's responses) and {least}.")
        if k > 1:
            for label, part in raw.groupby("label", sort=False):
                top = part.sort_values("percent", ascending=False, kind="stable").iloc[0]
                if top["percent"] > 0:
                    lines.append(f"'{label}' was raised most in {top[self.project_column]} "
                                 f"({top['percent']:.0f}% of {int(top['rounded_responses'])} responses).")
        hidden = int(self.raw["percent"].isna().sum())
        if hidden:
            lines.append(f"{hidden} cells are marked * because fewer than "
                         f"{self.policy.min_count} responses raised that theme.")
        return " ".join(lines)

    def to_xlsx(self, path) -> Path:
        """Write the matrix, the long table and the suppression statement to an XLSX file.

        Parameters
        ----------
        path : path-like
            Output file; written reproducibly with :func:`evalkit.xlsx.save_workbook` (text
            that looks like a formula stays text, without a visible apostrophe). Rows are as
            tall as their wrapped text; the matrix prints one page wide with its header row
            on every page.

        Returns
        -------
        pathlib.Path
        """
        wb = Workbook()
        sheet = wb.active
        sheet.title = "Framework matrix"
        wide = self.matrix()
        _write(sheet, [self.project_column, *wide.columns],
               [[idx, *row] for idx, row in zip(wide.index, wide.itertuples(index=False))])
        sheet.column_dimensions["A"].width = 14
        for col in range(2, wide.shape[1] + 2):
            sheet.column_dimensions[sheet.cell(1, col).column_letter].width = 40
        fit_row_heights(sheet)
        print_fit_to_width(sheet)
        sheet.freeze_panes = "B2"
        cells = wb.create_sheet("Cells")
        _write(cells, list(self.cells.columns), self.cells.itertuples(index=False))
        for col in range(1, len(self.cells.columns) + 1):
            cells.column_dimensions[cells.cell(1, col).column_letter].width = 24
        fit_row_heights(cells)
        print_fit_to_width(cells)
        about = wb.create_sheet("About")
        _write(about, ["Note"], [["Framework Method matrix (Gale et al. 2013)."],
                                 [self.policy.statement()],
                                 ["Quotes are redacted and are not shown where fewer than "
                                  f"{self.policy.min_count} responses raised the theme."]])
        return save_workbook(wb, path)

    def _repr_html_(self) -> str:
        """HTML for Jupyter: the matrix and the suppression statement."""
        cells = self.matrix().map(lambda v: html.escape(v).replace("\n", "<br>"))
        return cells.to_html(escape=False) + f"<p>{html.escape(self.policy.statement())}</p>"


def framework_matrix(coded: pd.DataFrame, responses: pd.DataFrame,
                     texts: pd.DataFrame | None = None, *,
                     theme_labels: Mapping[str, str] | None = None,
                     summaries: Mapping[tuple[str, str], str] | None = None,
                     redact: Callable[[str], str] | None = None,
                     project_column: str = "project_id", response_column: str = "response_id",
                     theme_column: str = "theme_id", text_column: str = "text",
                     policy: SuppressionPolicy | Mapping | None = None) -> FrameworkMatrix:
    """Build a Framework Method matrix of projects x themes.

    Parameters
    ----------
    coded : pandas.DataFrame
        Long coded table: response id, theme id (and optionally ``column``, the question the
        code was given on).
    responses : pandas.DataFrame
        One row per response with its project (the denominators).
    texts : pandas.DataFrame, optional
        Answers to quote: response id, ``text_column`` (and ``column`` to match the codes per
        question); :func:`long_texts` builds it from a survey. None gives no quotes.
    theme_labels : mapping, optional
        Theme id -> readable label (column headings).
    summaries : mapping, optional
        ``(project, theme) -> summary`` written by the research team (the Framework Method's
        charting step); cells without one get a generated descriptive summary.
    redact : callable, optional
        Applied to every quote; defaults to :func:`evalkit.privacy.redact.redact`.
    project_column, response_column, theme_column, text_column : str
        Column names.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy for the counts (and quotes of hidden cells).

    Returns
    -------
    FrameworkMatrix
    """
    policy = policy_or_default(policy)
    redact = redact or default_redact
    counts = theme_counts(coded, responses, project_column=project_column,
                          response_column=response_column, theme_column=theme_column)
    labels = dict(theme_labels or {})
    counts["label"] = counts[theme_column].map(lambda t: labels.get(t, t))
    counts["rounded_n"] = counts["n"].map(lambda v: _nan_if_none(policy.rounded(v)))
    counts["rounded_responses"] = counts["responses"].map(lambda v: _nan_if_none(policy.rounded(v)))
    counts["percent"] = [np.nan if policy.percentage(n, d) is None else policy.percentage(n, d)
                         for n, d in zip(counts["n"], counts["responses"])]
    quotes = _quotes(coded, texts, response_column, theme_column, text_column, project_column,
                     responses) if texts is not None else {}
    rank = counts.groupby(project_column)["n"].rank(ascending=False, method="min")
    rows = []
    for (i, row), r in zip(counts.iterrows(), rank):
        key = (row[project_column], row[theme_column])
        hidden = policy.is_suppressed(row["n"])
        quote = quotes.get(key)
        rows.append({project_column: key[0], "theme": key[1], "label": row["label"],
                     "n": policy.format_count(row["n"]),
                     "n %": policy.format_percentage(row["n"], row["responses"]),
                     "responses": policy.format_count(row["responses"]),
                     "summary": (summaries or {}).get(key) or _summary(row, int(r), hidden, policy),
                     "quote": "" if hidden or quote is None else redact(quote)})
    cells = pd.DataFrame(rows)
    cells.attrs["suppression_statement"] = policy.statement()
    return FrameworkMatrix(cells, counts, policy, project_column)


def _quotes(coded, texts, response_column, theme_column, text_column, project_column,
            responses) -> dict:
    """Return ``(project, theme) -> quote`` choosing a representative answer per cell."""
    keys = [response_column] + (["column"] if "column" in coded and "column" in texts else [])
    require_columns(texts, keys + [text_column], "framework_matrix (texts)")
    codes = coded[keys + [theme_column]].drop_duplicates()
    per_answer = codes.groupby(keys).size().rename("themes")
    joined = codes.merge(texts[keys + [text_column]].drop_duplicates(keys), on=keys, how="inner")
    joined = joined.merge(per_answer, left_on=keys, right_index=True)
    project = responses.drop_duplicates(response_column).set_index(response_column)[project_column]
    joined[project_column] = joined[response_column].map(project)
    joined = joined.sort_values(keys + [theme_column], kind="stable")
    out = {}
    for (proj, theme), part in joined.groupby([project_column, theme_column], sort=True):
        quote = representative_quote(part[text_column], part["themes"] - 1)
        if quote is not None:
            out[(proj, theme)] = quote
    return out


def _summary(row, rank: int, hidden: bool, policy: SuppressionPolicy) -> str:
    """Generated descriptive summary of one cell."""
    if row["n"] == 0:
        return "Not raised."
    if hidden:
        return f"Raised by fewer than {policy.min_count} responses."
    place = {1: "the most", 2: "the second most", 3: "the third most"}.get(rank)
    share = policy.format_percentage(row["n"], row["responses"])
    tail = f"; {place} common theme in this project" if place else ""
    return f"Raised in {share} of responses{tail}."


def _cell_text(row: pd.Series) -> str:
    """Display text of one matrix cell: prevalence, summary and quote on separate lines."""
    lines = [f"n={row['n']} ({row['n %']})", row["summary"]]
    if row["quote"]:
        lines.append(f"“{row['quote']}”")
    return "\n".join(lines)


def _write(sheet, header, rows) -> None:
    """Write a header and rows as clean text, wrapping it."""
    sheet.append([cell_text(str(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_text(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _hatched_cell(x: int, y: int):
    """Return a hatched rectangle covering heatmap cell (x, y)."""
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#777777",
                     linewidth=0)


def _nan_if_none(value):
    """Return NaN for None, else the value."""
    return np.nan if value is None else value
