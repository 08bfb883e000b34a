"""Reports: papermill pipeline, accessible rendering, provenance."""
from evalkit.report.pipeline import BuildResult, build_reports, check_reports

__all__ = ["BuildResult", "build_reports", "check_reports"]
