"""The embedding runtime without PyTorch: same vectors, its speed, and the install size.

1. Equality: evalkit's numpy forward pass against sentence-transformers (the model card's
   reference usage) on 2,000 distinct real answers (pxtextmining phase 1, read in place), and
   on the fixed test set in ``tests/results/minilm_reference.py``. Needs the ``reference``
   extra (PyTorch); without it the rows say so.
2. Speed: seconds to embed the same answers with each (both on this machine's CPU, one after
   the other, each with a cold cache), and the CPU seconds.
3. Install size: ``du`` of the environment this runs in (``sys.prefix``) and of the packages
   that only the PyTorch route needs, when present.

Run it with the venv ``make setup`` builds for the size row, and with an environment that also
has the ``reference`` extra for rows 1-2.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.paths import BENCHMARKS_DIR, REPO_DIR

N_ANSWERS = 2000
TARGET_COSINE = 1e-3
TARGET_INSTALL_MB = 1000


def _texts(n: int) -> list[str]:
    """The first ``n`` distinct non-empty phase-1 answers."""
    frame = pd.read_csv(BENCHMARKS_DIR / "pxtextmining" / "phase1_text_data.csv")
    texts = frame["feedback"].dropna().astype(str)
    return list(dict.fromkeys(t for t in texts if t.strip()))[:n]


def _du_mb(path: Path) -> float:
    """Disk use of ``path`` in MiB (``du -sm``)."""
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=False).stdout
    return float(out.split()[0]) if out else float("nan")


def equality_and_speed(n: int = N_ANSWERS) -> pd.DataFrame:
    """Largest difference, lowest cosine and timing of numpy against sentence-transformers."""
    from evalkit.coding import embeddings

    rows = []
    sys.path.insert(0, str(REPO_DIR / "tests" / "results"))
    try:
        from minilm_reference import TEXTS
    except ImportError:
        TEXTS = []
    finally:
        sys.path.pop(0)
    sets = [("fixed test set (tests/results/minilm_reference.py)", list(TEXTS)),
            (f"{n:,} real answers (phase 1)", _texts(n))]
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return pd.DataFrame([(name, len(texts), "sentence-transformers not installed (pip install "
                              "-e '.[reference]')", "", "", "", "") for name, texts in sets],
                            columns=["texts", "n", "max_abs_difference", "min_cosine", "numpy_seconds",
                                     "sentence_transformers_seconds", "met"])
    embedder = embeddings.SentenceEmbedder(disk_cache=False, cache_size=0).fit()
    reference = SentenceTransformer(str(embeddings._model_dir()), device="cpu")
    reference.max_seq_length = 128
    for name, texts in sets:
        texts = [t for t in texts if t.strip()]
        start = time.perf_counter()
        ours = embedder.transform(texts)
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        theirs = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=64)
        theirs_s = time.perf_counter() - start
        cosine = np.sum(ours * theirs, axis=1)
        rows.append((name, len(texts), f"{np.abs(ours - theirs).max():.1e}", f"{cosine.min():.7f}",
                     round(ours_s, 2), round(theirs_s, 2), bool(1 - cosine.min() <= TARGET_COSINE)))
    return pd.DataFrame(rows, columns=["texts", "n", "max_abs_difference", "min_cosine", "numpy_seconds",
                                       "sentence_transformers_seconds", "met"])


def install_size() -> pd.DataFrame:
    """Size of this environment, and what the PyTorch route's packages take in it."""
    prefix = Path(sys.prefix)
    site = next(prefix.glob("lib/python*/site-packages"), None)
    rows = [("this environment (du -sm sys.prefix)", str(prefix), _du_mb(prefix), TARGET_INSTALL_MB)]
    if site is not None:
        heavy = [p for p in ("torch", "transformers", "sentence_transformers", "sympy", "networkx",
                             "nvidia", "triton") if (site / p).exists()]
        if heavy:
            rows.append(("of which PyTorch-route packages", ", ".join(heavy),
                         sum(_du_mb(site / p) for p in heavy), ""))
        pycache = subprocess.run(f"find {site} -name __pycache__ -type d -prune -print0 | du -cm --files0-from=- | tail -1",
                                 shell=True, capture_output=True, text=True, check=False).stdout.split()
        rows.append(("of which bytecode (__pycache__)", "written on first import", float(pycache[0]) if pycache else 0.0, ""))
    table = pd.DataFrame(rows, columns=["what", "where", "MiB", "target_MiB"])
    torch_present = any(r[0].startswith("of which PyTorch") for r in rows)
    table.attrs["torch"] = torch_present
    return table


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Equality with sentence-transformers, speed, and install size."""
    size = install_size()
    return [
        ("Embeddings without PyTorch: numpy forward pass vs sentence-transformers (cold caches, "
         f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})",
         equality_and_speed(200 if quick else N_ANSWERS)),
        ("Install size of this environment", size),
    ]
