"""The automatic screening of a text that may become public (seed 004): insults, discrimination,
threats and personal data, in Dutch and English. It flags for a moderator; it never blocks.

`screen(text)` looks every word up in the lists of screening_words.py as written and as its lemma
(simplemma, Dutch and English), splits Dutch compounds on the curses glued to their front or end
("kankerbedrijf", "tyfuslijer", "oplichtersbende"), matches the lists' phrases and a violent verb
the writer says they will do ("ik ga die bezorger in elkaar slaan"), names a group
together with a generalisation about it as discrimination, and asks redaction.py for personal data.

Decided, and tested:
- Strong complaint language is allowed: "waardeloos", "schandalig", "dit is oplichting", "fraud",
  "a disgrace" judge the company's conduct; words for people ("oplichters", "idioten") insult.
- A quote of what someone said ("de medewerker noemde mij een 'idioot'") is flagged like any other
  text: whether the quote is fair is for a moderator to judge, and quotes are an easy way around a
  filter that trusts them.
- Names of products, books and games that hold such a word (`PRODUCT_NAMES`) are read as names.
- A text that complains about discrimination ("dat is discriminatie") names a group without being
  flagged for it; slurs in it are still flagged.
"""

import dataclasses
import functools
import re

import simplemma

from gehoord.platform import redaction, screening_words as words

INSULT = "insult"
DISCRIMINATION = "discrimination"
THREAT = "threat"
PERSONAL_DATA = "personal_data"
CLASSES = (INSULT, DISCRIMINATION, THREAT, PERSONAL_DATA)

# What one finding of a class adds to the score (1.0 is the most): a threat weighs most.
_WEIGHTS = {THREAT: 1.0, DISCRIMINATION: 0.8, INSULT: 0.5, PERSONAL_DATA: 0.4}

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE = re.compile(r"[^.!?\n]+")
_INSULT_PHRASES = re.compile("|".join(words.INSULT_PHRASES))
_THREAT_PHRASES = re.compile("|".join(words.THREAT_PHRASES))
_GENERALISATIONS = re.compile("|".join(words.GENERALISATIONS))
_ABOUT_DISCRIMINATION = re.compile(words.ABOUT_DISCRIMINATION)
_FIRST_PERSON_VIOLENCE = re.compile(
    words.FIRST_PERSON + r"\s+(?:[\w'’]+\s+){0,5}?(?:" + "|".join(words.VIOLENT_VERBS) + r")\b"
)
_NOT_SAID_AS_THREAT = re.compile(words.NOT_SAID_AS_THREAT)
_PRODUCT_NAMES = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in words.PRODUCT_NAMES))
# A compound's curse needs this many letters after or before it ("kutwinkel", not "kut" + "je").
_MINIMUM_REST = 3


@dataclasses.dataclass(frozen=True)
class Finding:
    """What the screening found: per class, the words or kinds that made it flag (empty when clean),
    and a score from 0 (clean) to 1."""

    reasons: dict[str, tuple[str, ...]]
    score: float

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.reasons)

    def as_json(self) -> dict:
        """The finding as stored on the complaint or message and recorded on the timeline. It holds
        list words and kinds of personal data only, never the personal data itself."""
        return {
            "score": self.score,
            "flagged": self.flagged,
            "reasons": [{"class": name, "found": found} for name in CLASSES for found in self.reasons.get(name, ())],
        }


def screen(text: str, *, keep: tuple[str, ...] = ()) -> Finding:
    """Screen `text`; `keep`: names the text may hold that are no private person's (the company's)."""
    found: dict[str, list[str]] = {name: [] for name in CLASSES}
    text = text or ""
    lowered = _PRODUCT_NAMES.sub(" ", text.casefold())
    for word in _WORD.findall(lowered):
        _look_up(word, found)
    found[INSULT] += [match.group(0).strip() for match in _INSULT_PHRASES.finditer(lowered)]
    found[THREAT] += [match.group(0).strip() for match in _THREAT_PHRASES.finditer(lowered)]
    found[THREAT] += _first_person_violence(lowered)
    if not _ABOUT_DISCRIMINATION.search(lowered):
        found[DISCRIMINATION] += _generalisations(lowered)
    found[PERSONAL_DATA] += [piece.kind for piece in redaction.find_personal_data(text, keep=keep)]
    reasons = {name: tuple(dict.fromkeys(terms)) for name, terms in found.items() if terms}
    score = min(1.0, sum(_WEIGHTS[name] * len(terms) for name, terms in reasons.items()))
    return Finding(reasons=reasons, score=round(score, 2))


def _look_up(word: str, found: dict[str, list[str]]) -> None:
    if word in words.ALLOWED_WORDS:
        return
    lemma = _lemma(word)
    if lemma in words.ALLOWED_WORDS:
        return
    # Dutch inflects adjectives with -e ("hufterige"), which simplemma does not always undo.
    if word.endswith("e") and word[:-1] in words.INSULT_WORDS:
        lemma = word[:-1]
    if word in words.SLURS or lemma in words.SLURS:
        found[DISCRIMINATION].append(word)
        # A slur aimed at a person insults them too.
        found[INSULT].append(word)
        return
    if word in words.INSULT_WORDS or lemma in words.INSULT_WORDS:
        found[INSULT].append(word)
        return
    slur_end = _ends_with(word, words.SLUR_SUFFIXES)
    curse_front = _starts_with(word, words.INSULT_PREFIXES)
    if slur_end and curse_front:  # "kankerneger", "kutmarokkaan"
        found[DISCRIMINATION].append(word)
        found[INSULT].append(word)
    elif curse_front or _ends_with(word, words.INSULT_SUFFIXES):
        found[INSULT].append(word)


def _starts_with(word: str, stems: tuple[str, ...]) -> bool:
    return any(word.startswith(stem) and len(word) - len(stem) >= _MINIMUM_REST for stem in stems)


def _ends_with(word: str, stems: tuple[str, ...]) -> bool:
    return any(word.endswith(stem) and len(word) - len(stem) >= _MINIMUM_REST for stem in stems)


@functools.lru_cache(maxsize=20_000)
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang=("nl", "en")).casefold()


def _generalisations(lowered: str) -> list[str]:
    """Groups named, in one sentence, with a word that generalises about them or wants them gone."""
    found = []
    for sentence in _SENTENCE.findall(lowered):
        groups = [word for word in _WORD.findall(sentence) if word in words.GROUPS or _lemma(word) in words.GROUPS]
        # A threat to a group is discrimination too.
        if groups and (_GENERALISATIONS.search(sentence) or _THREAT_PHRASES.search(sentence)):
            found.append(groups[0])
    return found


def _first_person_violence(lowered: str) -> list[str]:
    """"Ik ga die bezorger in elkaar slaan", "I will punch him": the writer announcing violence."""
    found = []
    for sentence in _SENTENCE.findall(lowered):
        match = _FIRST_PERSON_VIOLENCE.search(sentence)
        # The words after the verb count too: "ik sla alarm" is no blow.
        if match and not _NOT_SAID_AS_THREAT.search(sentence[match.start():match.end() + 8]):
            found.append(match.group(0).strip())
    return found
