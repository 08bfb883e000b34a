"""Reference sentence embeddings of all-MiniLM-L6-v2, made with sentence-transformers.

``TEXTS`` is a fixed test set written for evalkit (no benchmark or programme data): short and
long answers, punctuation, accents, emoji, a non-English line and one answer longer than the
128-word-piece limit. ``minilm_reference.npy`` holds their vectors as the model card's
reference usage computes them, regenerated with::

    pip install -c constraints.txt torch==2.13.0 && pip install -c constraints.txt -e '.[reference]'
    python tests/results/minilm_reference.py

(sentence-transformers 6.2.0, torch 2.13.0+cpu, ``SentenceTransformer(model_dir, device="cpu")``,
``max_seq_length = 128``, ``encode(TEXTS, normalize_embeddings=True)``).
"""
from __future__ import annotations

from pathlib import Path

TEXTS = [
    "The staff were kind and listened to me.",
    "Parking at the hospital is a nightmare!",
    "Nothing could be improved",
    "Ça va très bien, merci — 10/10 🙂",
    "a long answer " * 80,
    "Nurses lovely.",
    "The receptionist explained everything clearly and the wait was short.",
    "Waited 4 hours in A&E with no updates; nobody told us what was happening.",
    "Food was cold and the portions were tiny.",
    "I felt safe on the ward and the doctors were very professional.",
    "More staff needed at weekends",
    "Couldn't get through on the phone to book an appointment, tried for three days.",
    "The venue had no step-free access and the hearing loop was broken.",
    "We were paid for our time and travel, which made a real difference.",
    "Jargon everywhere - acronyms nobody explained.",
    "My carer was involved in every decision about my discharge.",
    "ok",
    "N/A",
    "Very good service, thank you!!!",
    "Dr. Smith (the consultant) was brilliant; the physio less so.",
    "Too noisy at night to sleep. Lights on till 2am.",
    "The video call kept dropping out so I missed half the meeting.",
    "Excellent care from start to finish. Thank you all.",
    "Il personale era gentile.",
    "I was not listened to and my concerns were dismissed",
    "Staff continuity was poor: a different nurse every visit.",
    "Clean, tidy ward; hand gel at every door.",
    "Prescription was wrong twice and the pharmacy had no record of it.",
    "The co-production group shared power with us as equals.",
    "\u201cSmart quotes\u201d and tabs\tand  double  spaces",
]


def main() -> None:
    """Write minilm_reference.npy beside this file (needs the 'reference' extra)."""
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from evalkit.coding import embeddings

    model = SentenceTransformer(str(embeddings._model_dir()), device="cpu")
    model.max_seq_length = 128
    vectors = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    np.save(Path(__file__).with_name("minilm_reference.npy"), vectors.astype(np.float32))


if __name__ == "__main__":
    main()
