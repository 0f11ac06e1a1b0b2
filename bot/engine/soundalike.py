"""Sound keys: find an English term from the Hangul a Korean speaker writes for it, uncurated.

Korean writes loanwords by sound (네트워크 폴리시 for NetworkPolicy, 키베르노 for Kyverno, 알백 for
RBAC), and no alias list covers every term of every group's notes. Both sides are reduced to a
*consonant skeleton* in one coarse alphabet and compared for equality:

- vowels (and w, y) are dropped, because English spelling says little about the Korean vowel
  (Config → 컨피그, Deployment → 디플로이먼트), while consonants carry over regularly;
- consonants fold into the classes Hangul can tell apart in loanwords: k (ㄱㅋㄲ: g, k, c, q),
  t (ㄷㅌㄸ: d, t, th), p (ㅂㅍㅃ: b, p, f, v, ph), s (ㅅㅆ: s, soft c, sh), j (ㅈㅊㅉ: j, z, ch,
  soft g), l (ㄹ: l, r), m, n, h, and G for the ㅇ final (-ng at the end of a word);
- repeated classes collapse, so the doubled ㄹ of 폴리시 or 헬름 is one l.

English spelling is ambiguous where Korean is not, so a Latin name has a few keys: an r before a
consonant or at the end is silent (Network → 네트워크) or written 르 (Kyverno → 키베르노); a g
before e/i/y is hard (Config → 컨피그) or soft (Engine → 엔진); an inner -ng- is 인그 (Ingress)
or 싱글 (Single). A Hangul query has exactly one key.

Acronyms are also spelled letter by letter (에이치피에이 for HPA): `letter_spellings` gives the
Hangul letter names of an acronym, compared as plain text.
"""

from __future__ import annotations

from itertools import islice, product

from bot.engine.hangul import SYLLABLE_FIRST, SYLLABLE_LAST

# Shorter skeletons ("pt" for 파드, 포트, 비트 …) match too many unrelated words to mean anything.
MIN_KEY = 3
MAX_KEYS = 16  # variants kept per Latin name
MAX_SPELLINGS = 16

# Per choseong index (ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ): the class of an initial consonant.
_INITIAL = ("k", "k", "n", "t", "t", "l", "m", "p", "p", "s", "s", "", "j", "j", "j", "k", "t", "p", "h")
# Per jongseong index ("" then ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ): the class of a final.
# A final ㅅ is the t of loanwords (셋 for "set", 엣 for "et").
_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "l", "l", "l", "l", "l", "l", "l",
          "m", "p", "p", "t", "t", "G", "t", "t", "k", "t", "p", "")
_VOWELS = frozenset("aeiouyw")
_SIMPLE = {"b": "p", "p": "p", "f": "p", "v": "p", "d": "t", "t": "t", "k": "k", "q": "k", "s": "s",
           "z": "j", "j": "j", "l": "l", "m": "m", "n": "n", "x": "ks"}
_DIGRAPHS = {"sch": "sk", "ph": "p", "th": "t", "sh": "s", "ch": "j", "ck": "k", "gh": "", "qu": "k"}

# Per jungseong index (ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ): the English letters the first vowel of
# a loanword may be spelled with (Pod → 파드, Deployment → 디플로이먼트, Liveness → 라이브니스). ㅡ is
# the vowel Korean inserts between consonants (스, 트, 프) and stands for none.
_VOWEL_SPELLINGS = ("aoui", "ae", "a", "a", "aeiou", "ea", "eou", "ea", "oau", "aou", "a", "eo", "ou", "uo",
                    "ouae", "ea", "ie", "ue", "", "ie", "ie")
_EPENTHETIC = 18  # ㅡ

_LETTER_NAMES = {
    "a": ("에이",), "b": ("비",), "c": ("씨", "시"), "d": ("디",), "e": ("이",), "f": ("에프",),
    "g": ("지", "쥐"), "h": ("에이치", "에치"), "i": ("아이",), "j": ("제이",), "k": ("케이",),
    "l": ("엘",), "m": ("엠",), "n": ("엔",), "o": ("오",), "p": ("피",), "q": ("큐",), "r": ("알", "아르"),
    "s": ("에스",), "t": ("티",), "u": ("유",), "v": ("브이", "뷔"), "w": ("더블유", "더블류"),
    "x": ("엑스",), "y": ("와이",), "z": ("지", "제트"),
}


def _collapse(key: str) -> str:
    out: list[str] = []
    for ch in key:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def hangul_sound_key(text: str) -> str:
    """The consonant skeleton of Hangul syllables (spaces and other characters ignored).

    "" when `text` holds a lone jamo (a syllable still being typed) or no syllable at all.
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if SYLLABLE_FIRST <= code <= SYLLABLE_LAST:
            i = code - SYLLABLE_FIRST
            out.append(_INITIAL[i // 588])
            out.append(_FINAL[i % 28])
        elif 0x3131 <= code <= 0x318E:
            return ""
    return _collapse("".join(out))


def hangul_first_vowels(text: str) -> str:
    """The English letters the first vowel of Hangul `text` may be spelled with ("" for none)."""
    for ch in text:
        code = ord(ch)
        if SYLLABLE_FIRST <= code <= SYLLABLE_LAST:
            vowel = (code - SYLLABLE_FIRST) % 588 // 28
            if vowel != _EPENTHETIC:
                return _VOWEL_SPELLINGS[vowel]
    return ""


def latin_first_vowel(text: str) -> str:
    """The first vowel letter of a Latin spelling, y read as i except at the start ("" for none)."""
    for i, ch in enumerate(text.casefold()):
        if ch in "aeiou":
            return ch
        if ch == "y" and i > 0:
            return "i"
    return ""


def _segments(s: str) -> list[tuple[str, ...]]:
    """Per consonant (or digraph) of lower-case letters `s`, the classes it may be written with."""
    segments: list[tuple[str, ...]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        after = s[i + 2] if i + 2 < n else ""
        if ch in _VOWELS or ch == " ":
            i += 1
            continue
        for digraph in (ch + nxt + after, ch + nxt):
            if digraph in _DIGRAPHS:
                break
        else:
            digraph = ""
        if digraph:
            segments.append((_DIGRAPHS[digraph],))
            i += len(digraph)
            continue
        if ch == "t" and nxt == "i" and after in ("o", "a"):  # -tion, -tial: 션, 셜
            segments.append(("s",))
        elif ch == "n" and nxt == "g":
            if not after or after == " ":
                segments.append(("G",))  # Logging → 로깅
                i += 2
                continue
            if after not in _VOWELS:
                segments.append(("nk", "Gk"))  # Ingress → 인그레스, Single → 싱글
                i += 2
                continue
            segments.append(("n",))
        elif ch == "n" and nxt in ("k", "c", "q"):
            segments.append(("n", "G"))  # Linkerd → 링커디
        elif ch == "c":
            segments.append(("s",) if nxt in ("e", "i", "y") else ("k",))
        elif ch == "g":
            segments.append(("k", "j") if nxt in ("e", "i", "y") else ("k",))
        elif ch == "r":
            segments.append(("l",) if nxt in _VOWELS and nxt != "w" else ("", "l"))
        elif ch == "h":
            if nxt in _VOWELS and (i == 0 or s[i - 1] in _VOWELS or s[i - 1] == " "):
                segments.append(("h",))
        elif ch in _SIMPLE:
            segments.append((_SIMPLE[ch],))
        i += 1
    return segments


def latin_sound_keys(text: str) -> frozenset[str]:
    """The consonant skeletons a Latin spelling may be written with in Hangul, its words run
    together as Korean writes them ("Network Policy" and "NetworkPolicy" alike).

    At most MAX_KEYS, fewest choices first; none shorter than MIN_KEY.
    """
    # Word boundaries stay (as single spaces) for the rules that look at a word's start or end.
    letters = " ".join("".join(ch for ch in word if "a" <= ch <= "z") for word in text.casefold().split()).strip()
    if not letters:
        return frozenset()
    keys = {_collapse("".join(combo)) for combo in islice(product(*_segments(letters)), MAX_KEYS)}
    return frozenset(k for k in keys if len(k) >= MIN_KEY)


def letter_spellings(acronym: str) -> frozenset[str]:
    """Hangul spellings of an acronym read letter by letter: "HPA" → 에이치피에이, 에치피에이."""
    letters = acronym.casefold()
    if not 2 <= len(letters) <= 6 or not all(ch in _LETTER_NAMES for ch in letters):
        return frozenset()
    options = [_LETTER_NAMES[ch] for ch in letters]
    return frozenset("".join(combo) for combo in islice(product(*options), MAX_SPELLINGS))
