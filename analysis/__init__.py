"""Analysis engine of Consulta: clusters contributions and finds opinion groups in votes.

Pure Python on numpy, scipy and scikit-learn; it never imports the web app. It takes plain records and
returns plain dataclasses (``to_dict()`` gives JSON-ready dicts), and runs on a CSV without the web app:
``python -m analysis contributions.csv --text-column texto --out DIR``.

Public API:

- :func:`analyze_contributions` — themes and sub-themes with labels, quotes and counts; near-duplicates
  and campaigns (:mod:`analysis.pipeline`);
- :func:`analyze_votes` — opinion groups, consensus and divisive recommendations (:mod:`analysis.opinions`);
- :func:`mask_personal_data` — e-mail, phone, CPF and CNPJ masking for anything shown or downloaded.
"""

from analysis.normalize import mask_personal_data
from analysis.opinions import analyze_votes
from analysis.pipeline import AnalysisParams, analyze_contributions
from analysis.result import AnalysisResult, OpinionResult, Record

__all__ = [
    "AnalysisParams",
    "AnalysisResult",
    "OpinionResult",
    "Record",
    "analyze_contributions",
    "analyze_votes",
    "mask_personal_data",
]
