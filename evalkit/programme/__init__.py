"""Programme data model: config (YAML), typed loading, validation and quarantine.

``load_programme(path)`` returns a :class:`Programme` with typed tables and a quarantine of
rows that failed checks; ``validate_programme(path)`` lists every problem without raising.
"""
from evalkit.errors import ProgrammeConfigError
from evalkit.programme.load import load_programme, validate_programme
from evalkit.programme.model import Programme
from evalkit.programme.spec import COLUMN_TYPES, ColumnSpec, ScaleSpec, SourceSpec

__all__ = ["COLUMN_TYPES", "ColumnSpec", "Programme", "ProgrammeConfigError", "ScaleSpec", "SourceSpec",
           "load_programme", "validate_programme"]
