"""How well the redactor finds people's names, what else it takes out, and how fast it is.

Three measurements, each for evalkit's redactor and for the NER model on its own (spaCy
``en_core_web_sm`` PERSON entities), plus Microsoft Presidio's analyzer on the same spaCy model
when ``presidio-analyzer`` happens to be installed (it is not a dependency):

- **Recall on planted names**: 240 answers made from the hand-written UK names below (English,
  Welsh, Scottish, Irish, South Asian, African, Caribbean, Eastern European, Chinese and
  Vietnamese, hyphenated and apostrophe forms; 153 written by hand, not drawn from the redactor's
  name lists, though 104 of them happen to be in those lists) in 49 contexts (titles, roles, thanks, sentence starts,
  lower case, possessives, lists). A case counts as found when no part of the name is left.
- **Over-redaction on real comments**: 1,000 distinct real comments (seeded sample of
  ``../shared/benchmarks/pxtextmining/phase1_text_data.csv``, read in place). A comment counts
  as over-redacted when anything taken out of it as a name is not a person's name. The author
  read every span the redactor takes out of these comments; the ones that are names are kept
  here only as SHA-256 digests (``REVIEWED_NAMES``), so no real name is copied into the
  repository, and any span not reviewed counts against the redactor.
- **Speed**: milliseconds per distinct answer, and the time to redact 1,000,000 answers
  resampled from the real comments (each distinct answer once).
"""
from __future__ import annotations

import hashlib
import re
import time

import numpy as np
import pandas as pd

from evalkit.paths import BENCHMARKS_DIR

PX = BENCHMARKS_DIR / "pxtextmining" / "phase1_text_data.csv"
TARGET_RECALL = 0.95
TARGET_OVER = 0.02

PLANTED = (
    # English, Welsh, Scottish, Irish
    "Sarah Jones", "Julie", "Anna", "Siobhan", "Niamh O'Connor", "Aoife", "Ciaran", "Eilidh", "Rhys", "Dafydd",
    "Cerys Evans", "Gareth", "Morag", "Hamish", "Angharad", "Bethan", "Callum", "Fergus", "Padraig", "Sinead",
    "Mairead", "Tomos", "Iwan", "Seren", "Gwen", "Kirsty", "Shona", "Lachlan", "Declan", "Orla",
    "Hannah Whitfield", "Gemma", "Kayleigh", "Jodie", "Leanne", "Stacey", "Darren", "Wayne", "Craig", "Lee",
    "Margaret", "Doreen", "Beryl", "Maureen", "Sheila", "Trevor", "Colin", "Nigel", "Keith", "Graham",
    "Olivia", "Amelia", "Isla", "Freya", "Poppy", "Harry", "Alfie", "Theo", "Oscar", "Archie",
    # South Asian
    "Priya", "Priyanka", "Tariq-Ali", "Mohammed", "Aisha", "Fatima", "Imran", "Rukhsana", "Sunita", "Rajesh",
    "Harpreet", "Gurpreet", "Jaswinder", "Nasreen", "Shabana", "Anjali", "Deepak", "Farhan", "Zainab", "Bilal",
    "Parveen", "Sanjay", "Kavita", "Aarav", "Ishaan",
    # African, Caribbean
    "Oluwaseun", "Chukwuemeka", "Adebayo", "Ngozi", "Folasade", "Kwame", "Abena", "Amara", "Temitope", "Chidi",
    "Delroy", "Marcia", "Winston", "Nia", "Kofi", "Yetunde", "Tendai", "Farai", "Abdi", "Hodan",
    # Eastern and Southern European
    "Agnieszka", "Wojciech", "Katarzyna", "Lukasz", "Mihai", "Ioana", "Giedre", "Tomas", "Marta", "Piotr",
    "Giuseppe", "Francesca", "Joao", "Ines", "Mehmet", "Elif", "Andreea", "Bogdan",
    # Chinese, Vietnamese, other
    "Xiaoling", "Wei", "Mei Ling", "Thanh", "Linh", "Hiroshi", "Yusuf", "Leila", "Omar", "Dmitri",
    # surnames with titles
    "Patel", "Kowalczyk", "Okafor", "Mensah", "McAllister", "O'Neill", "Nguyen", "Chaudhry", "Hussain",
    "Fitzgerald", "Ahmed", "Begum", "Singh", "Campbell", "Llewellyn", "Van der Berg", "Achterberg",
    "Smith-Jones", "Rahman", "Osei",
)
_TITLED = {"Patel", "Kowalczyk", "Okafor", "Mensah", "McAllister", "O'Neill", "Nguyen", "Chaudhry", "Hussain",
           "Fitzgerald", "Ahmed", "Begum", "Singh", "Campbell", "Llewellyn", "Van der Berg", "Achterberg",
           "Smith-Jones", "Rahman", "Osei"}
CONTEXTS = (
    "{n} has been able to help me so much", "Dear {n} (Community Matron), thank you", "my support worker {n} was great",
    "Thanks to {n} for listening", "I want to thank {n} and the team", "{n} was lovely to my mum",
    "The nurse, {n}, explained everything", "{n}'s advice was spot on", "Please pass on my thanks to {n}.",
    "Staff were kind, especially {n} on the ward", "We met {n} at the cafe and she was kind", "ask for {n} at reception",
    "thank you {n} you are a star", "{n} and her colleagues went above and beyond",
    "the physio {n} helped me walk again", "My social worker {n} never called back", "Without {n} I would have given up",
    "I spoke to {n} twice about it", "CPN {n} has been brilliant", "Shout out to {n}!",
    "Care coordinator {n} was patient", "Everyone was good but {n} stood out", "{n} listened to me",
    "The receptionist {n} was rude", "Big thanks to {n} and Ward 7", "I saw {n} yesterday and felt better",
    "my key worker is {n}", "{n} from the crisis team rang me", "Honestly {n} is the best", "{n}, Lisa and the team were great",
    "I was looked after by {n} all night", "Please tell {n} I am doing well", "Support from {n} was excellent",
    "the carer {n} came on time", "{n} explained my medication", "My daughter's therapist {n} is wonderful",
    "so grateful to {n}", "Ask {n} to ring me back", "I trust {n} completely", "Nurse {n} was kind",
)
TITLED_CONTEXTS = ("Dr {n} was kind", "Mr {n} explained the operation", "I saw Mrs {n} again", "Dr {n}'s clinic",
                   "Ms {n} from the council helped", "Thanks to Dr {n} and the team", "Prof {n} listened",
                   "Dear Dr {n}, thank you", "Miss {n} was lovely")

# SHA-256 of the spans (as written) that the author judged to be people's names among those the
# redactor takes out of the 1,000 real comments; see the module docstring.
REVIEWED_NAMES: frozenset[str] = frozenset({
    "03a01a7153741522933bb94d447ae07519a745501c144867787ca59bb0631f3a",
    "0745c3a750a2ca39d36ed8bd98a4fa40d2bdb050d658e3b338a538a78d3ed662",
    "07b2c0146e1fec40ebbc8b2bc7827f55d49b6e802b3f2ce6435dfa8a4e8150b7",
    "093de0b0eeb1edce1def56262d4775111263d9a0a36bb4a1dc56c39301700fc4",
    "0c47f1db1fd29c29185d02093c2173064ae499e69e0c652705d56f3335353483",
    "0e32a320e97518e6ade7014457d4467ac5fbd63b57c4f21ce30f7ca3749d3afc",
    "0fded9fb37b9359e8e8ee8554f48acd12d762591738b1748db0e9231a0ff6588",
    "1380a95d316ba8a5e01dedd22bce99ea3ecbbafbcb72bb301dce9e0ed91e10af",
    "1453c97a060e713374331565270d87b99cca45defc80d0c2a0987e48e01a0f26",
    "161b5245e4bb6c5fb99407313df9c260dad0e973cc73935572b20913dec08348",
    "1b4e1e1b1c2e23399cdaa18d5f45c01b60778561ee85fe728d587ec4386c2698",
    "1bda19f452056d7720ca7ce626dc35c288114de079d72a43392ec17f888ccddf",
    "1e8b342dde7c90cfbc9634c777b6b59388b6a4bd14274adffbfaeed4b329b26e",
    "213501cb344e7c6661566a482f3908fbc9d6879c190d8578e20637cff2e1e647",
    "2aba5dd8596b2dc0a86cc0fd514986ef09f279ee4cda6416ffa2dc51f2ed047e",
    "3090ad7f5b83a40b050aad6e04d2f663049aca5cf0253e1b2ff592fcfed3ef9c",
    "39bd67e7c4193a614c6483903935f68fb393b36e706401039c377b5466787f91",
    "3b3c395fa372d8f0300a266b0c7ce8d7698383589ce1d9c4a0f269e4ffef2e55",
    "3fa72d13a8c74a75c6fba8e98c526fedc05ac2ea9f265b7c270405f460b104ca",
    "4010511819f250a09520a370bc94a3c3f28d98b9fc7092320155e9ac82fdafdf",
    "417ce6388821cb6175d7df6db311b96333b905ac191dfe858bd85d4de20b78ef",
    "459b8e937e05cc74a697f892a4bebf159eef51ab86426f22acb3ea1543c02ec7",
    "4ecde249d747d51d869ae689c44cc1e6191b581b8315edac97990fdc4dce40d7",
    "53b1fb446230b347c3f6406cca4b1ddbac60905ba4ab1977179f44b8fb134447",
    "54120c924008b077523de0c33bcbf3f8ce2625a17ad575cb6695d6736ca5f6ea",
    "553e7cf02d99f2429ae2a8068234af47200be7969bba0e99ea52f5f886f905c8",
    "555c9a39b8249c9f42cd33fd13eb3141ef594b3405a9c9f508de99392e9381a0",
    "5609199400a32084747c70b8f8a88c803b2a14278d8c192e4bf958fee42bacd0",
    "561128bba80925e568c819cca71843a06673a47db46e577327a31fd81bf00ff3",
    "5c62e091b8c0565f1bafad0dad5934276143ae2ccef7a5381e8ada5b1a8d26d2",
    "5d243f6096bb88ae977f3119ac5aeee239a2caa4266095808bd0b16ca350aa17",
    "5d422d0acb34b8c10ed55cc2809937c8226538ec1729f5cade99449c597b30e4",
    "626928c4f868fb629afad5ef9afb1cd19f25b1f0f80924f3ae1dbe5a8f8b8471",
    "6bb48cc5c7864234f76568ac3f4d2ecd8767936a2d6d54b7c3306b900b637fc6",
    "77cdd2206289c0439491b44d234b7cb287fda79b2ca0e5641cd62ee3ed8727b6",
    "7c6e1bf16286b2bcb2790eee9d42a406f0de86615436d85baf86efa3b7d9eb20",
    "7e8c729e4e4ecc320cb411c4d1419bf5fbad733212d4e9491b7630aaef0b8b1c",
    "80f2aed3c618c423ddf05a2891229fba44942d907173152442cf6591441ed6dc",
    "816723f56f4329217e688d8d628db1246896f5c22e8448d036cac179460c42b7",
    "818b5cc5f21d3e6e4e6071c06294528d44595022218446d8b79304d2b766327a",
    "862ef3927a7c8acfd3e79aa547800ef285cd9b13a39f5ec2d47554981cb313c8",
    "9345a35a6fdf174dff7219282a3ae4879790dbb785c70f6fff91e32fafd66eab",
    "966b04e1166554524d9f310d3b0a7759ce74ce202fe04a9a51cd06fdc732d7fe",
    "96f12b28d735c75378017acc8db6e1881cef8f6c8a8ef38666951f69b6738933",
    "9ae4bc0e32db0e3484cd398459d20f9b4f79cce36667428181bf037131a3c987",
    "9c8ff94a9aa47705a40aea8353a37c30e1b7568950459593a90f444d682e7dfd",
    "a226a2084c6d83e72278aa2c0544817a6b22f4b76cfbf502178c6364abadc75f",
    "a9568a4adada5f7353120ce229ac4f1c1c95b77b2f6448494791d79818f51b74",
    "ae5116491c52504db24e855bbb12e4ede711f15a5aa96d6f361c8f7027ece795",
    "bda94d3dce78637e7e47c7ea19824b93a643d023947dbf12ab3afc7032bb2597",
    "c10873196eb1124ed74461c20a67094e395f2310f6305607b9694ee6b1ee8b43",
    "c43884b497e2850780ead34ae9d7ce4daa804222cfd5b67e4011275b7e01cbda",
    "c8ccf6c9714f85c0da64d77353531840169fdfb6fe7729b70b60722cc6c54078",
    "cbb666f64179004cddd7ac9c47f37d52fe7714b243bcfec2cd2a762deb7e2467",
    "d357cf2e33f11692b87205336419d63db468d7c742f9a2ada6ce19778e5191d7",
    "d7cda0ca2c8586e512c425368fcb2bba62e81475bfceb4284f4906de8ec242bc",
    "d9dacb3ee168be4dbc39386975b6964d353c438d8f57a68914a3228b5385fe69",
    "de0c30b5eb0126657085872c91441e7c37f2cd425facf8045cd11ccb15ffaaa6",
    "ea72c79594296e45b8c2a296644d988581f58cfac6601d122ed0a8bd7c02e8bf",
    "edd2916124c93479ced1dd30f618d002478a35eeec25f633c33b9de974e201ad",
})


def planted_cases(n: int = 240, seed: int = 0) -> list[tuple[str, str]]:
    """``(text, name)`` pairs: every planted name once, then seeded extra pairs, in varied contexts."""
    rng = np.random.default_rng(seed)
    names = list(PLANTED) + [PLANTED[i] for i in rng.integers(0, len(PLANTED), size=max(0, n - len(PLANTED)))]
    cases = []
    for i, name in enumerate(names[:n]):
        contexts = TITLED_CONTEXTS if name in _TITLED else CONTEXTS
        template = contexts[int(rng.integers(0, len(contexts)))] if i >= len(PLANTED) else contexts[i % len(contexts)]
        text = template.format(n=name)
        if i % 11 == 5:
            text = text.lower()
        cases.append((text, name))
    return cases


def _left(name: str, redacted: str) -> bool:
    """True when any word of ``name`` survives in ``redacted`` (whole words, any case)."""
    parts = [p for p in re.split(r"[\s-]+", name) if len(p) > 2 and p.lower() not in ("van", "der")]
    return any(re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", redacted, re.IGNORECASE) for p in parts)


def _evalkit(texts: list[str]) -> list[str]:
    from evalkit.privacy.redact import Redactor

    return Redactor().redact_many(texts)


def _spacy_only(texts: list[str]) -> list[str]:
    from evalkit.privacy.names import ner_model

    out = []
    for text, doc in zip(texts, ner_model().pipe(texts, batch_size=256)):
        for ent in reversed([e for e in doc.ents if e.label_ == "PERSON"]):
            text = text[:ent.start_char] + "[name]" + text[ent.end_char:]
        out.append(text)
    return out


def _presidio(texts: list[str]) -> list[str] | None:
    """Presidio's analyzer (PERSON) on the same spaCy model, or None when it is not installed."""
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None
    from evalkit.privacy.names import model_dir

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(model_dir())}])
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    out = []
    for text in texts:
        for r in sorted(analyzer.analyze(text, language="en", entities=["PERSON"]), key=lambda r: -r.start):
            text = text[:r.start] + "[name]" + text[r.end:]
        out.append(text)
    return out


CANDIDATES = {"evalkit redactor (NER + name lists + context)": _evalkit,
              "spaCy en_core_web_sm NER alone": _spacy_only,
              "Presidio analyzer 2.2 + en_core_web_sm": _presidio}


def real_comments(n: int = 1000, seed: int = 0) -> list[str]:
    """``n`` distinct non-blank real comments, seeded sample."""
    frame = pd.read_csv(PX, dtype={"feedback": str})
    texts = frame["feedback"].dropna().str.strip()
    texts = texts[texts != ""].drop_duplicates().reset_index(drop=True)
    pick = np.random.default_rng(seed).choice(len(texts), size=min(n, len(texts)), replace=False)
    return [texts.iloc[i] for i in sorted(pick)]


def removed_spans(before: str, after: str) -> list[str]:
    """The texts replaced by ``[name]`` in ``after`` (aligned on the text around each placeholder)."""
    pattern = "^" + "(.*?)".join(re.escape(part) for part in after.split("[name]")) + "$"
    m = re.match(pattern, before, re.DOTALL)
    return [g for g in m.groups()] if m else [before]


def _digest(span: str) -> str:
    return hashlib.sha256(span.strip().encode("utf-8")).hexdigest()


def over_redacted(texts: list[str], redacted: list[str]) -> tuple[int, list[str]]:
    """Comments with a removed span not reviewed as a name, and those spans."""
    bad, spans = 0, []
    for before, after in zip(texts, redacted):
        unreviewed = [s for s in removed_spans(before, after) if _digest(s) not in REVIEWED_NAMES]
        bad += bool(unreviewed)
        spans += unreviewed
    return bad, spans


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Recall, over-redaction and speed of each candidate; see the module docstring."""
    cases = planted_cases()
    comments = real_comments(1000)[:300] if quick else real_comments(1000)  # quick: a part of the reviewed sample
    rows = []
    for label, fn in CANDIDATES.items():
        start = time.perf_counter()
        found = fn([t for t, _ in cases])
        if found is None:
            rows.append({"name detector": label, "planted names found": "not installed",
                         "real comments over-redacted": "", "ms per answer": "", "met (>= 0.95, < 2%)": ""})
            continue
        recall = float(np.mean([not _left(name, out) for (_, name), out in zip(cases, found)]))
        redacted = fn(comments)
        seconds = time.perf_counter() - start
        bad, _ = over_redacted(comments, redacted)
        rows.append({"name detector": label, "planted names found": f"{recall:.3f} of {len(cases)}",
                     "real comments over-redacted": f"{bad / len(comments):.1%} of {len(comments)}",
                     "ms per answer": f"{1000 * seconds / (len(cases) + len(comments)):.2f}",
                     "met (>= 0.95, < 2%)": "yes" if recall >= TARGET_RECALL and bad / len(comments) < TARGET_OVER
                     else "no"})
    table = pd.DataFrame(rows)
    speed = _million(quick)
    return [("Finding names nobody listed", table), ("Redacting a million answers", speed)]


def _million(quick: bool) -> pd.DataFrame:
    """Time to redact resampled real answers, each distinct one once."""
    from evalkit.privacy.redact import Redactor

    frame = pd.read_csv(PX, dtype={"feedback": str})
    texts = frame["feedback"].fillna("").to_numpy(dtype=object)
    n = 100_000 if quick else 1_000_000
    answers = pd.Series(texts[np.random.default_rng(0).integers(0, len(texts), size=n)], dtype=object)
    start = time.perf_counter()
    out = Redactor().redact_series(answers)
    seconds = time.perf_counter() - start
    return pd.DataFrame([{"answers": f"{n:,}", "distinct": f"{answers.nunique():,}",
                          "seconds": f"{seconds:.1f}", "names redacted in": f"{out.str.contains('[name]', regex=False).sum():,}"}])
