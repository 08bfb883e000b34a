"""Moving coded work between evalkit and QDA tools (QualCoder, NVivo, ATLAS.ti, MAXQDA) as REFI-QDA.

:func:`export_qdpx` writes a programme's answers, attributes and every coder's codes as a
``.qdpx`` project; :func:`import_qdpx` reads a ``.qdpx`` from any of those tools back into the
tidy coder table (``source, response_id, column, coder, theme_id, start, end, text``).
Codebooks alone travel as ``.qdc`` (:mod:`evalkit.coding.qdc`).
"""
from evalkit.exchange.content import CODER_COLUMNS, ExchangeContent, collect_content
from evalkit.exchange.qdpx_export import ExportSummary, export_qdpx
from evalkit.exchange.qdpx_import import ImportResult, import_qdpx, write_coder_table
from evalkit.exchange.qdpx_read import QdpxProject, read_qdpx

__all__ = ["CODER_COLUMNS", "ExchangeContent", "ExportSummary", "ImportResult", "QdpxProject", "collect_content",
           "export_qdpx", "import_qdpx", "read_qdpx", "write_coder_table"]
