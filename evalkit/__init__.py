"""evalkit: an evidence synthesis and evaluation workbench for co-production."""
from evalkit.errors import ConfigError, DataValidationError, EvalkitError, Problem

__version__ = "0.1.0"
__all__ = ["ConfigError", "DataValidationError", "EvalkitError", "Problem", "__version__"]
