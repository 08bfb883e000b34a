"""Coding by people: agreeing codes after double coding (consensus) and asking participants
whether the themes ring true (member checking).

The JupyterLab coding panel, where people code answers one by one, is :mod:`evalkit.panel`;
agreement between coders is :mod:`evalkit.reliability`.
"""
from evalkit.people.consensus import decisions_from_sheet, load_consensus, record_consensus, save_consensus
from evalkit.people.member_check import export_member_check, import_member_checks, summarise_member_checks

__all__ = ["decisions_from_sheet", "export_member_check", "import_member_checks", "load_consensus",
           "record_consensus", "save_consensus", "summarise_member_checks"]
