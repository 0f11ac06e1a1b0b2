"""Hangul helpers for search: NFC, 2-beolsik keystroke jamo, choseong and the QWERTY layout.

Everything is table-driven (`str.translate`) and works on *compatibility* jamo (U+3131..U+318E),
the code points a Korean IME emits for a lone consonant such as "ㅋ". A precomposed syllable
U+AC00..U+D7A3 splits arithmetically into initial (19), vowel (21) and final (28 incl. none).

"Keystroke space" is what a 2-beolsik typist presses: compound vowels and final clusters are split
(ㅘ → ㅗㅏ, ㄺ → ㄹㄱ), so a half-typed "쿠버ㄴ" or the IME's transient "쿠버넽" is a plain prefix of
`to_keys("쿠버네티스")`, and text typed in English mode maps straight into the same space.

Never NFKC: it turns compatibility jamo into conjoining jamo and breaks choseong queries.
"""

from __future__ import annotations

import re
import unicodedata

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3

CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONGSEONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

# Jamo that take two keys on a 2-beolsik keyboard.
_SPLIT = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
    "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}

# 2-beolsik layout: the jamo each QWERTY key gives in Korean mode. Shift only matters for these
# seven keys; other capitals give the same jamo as the lower-case key.
_QWERTY = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", strict=True))
_QWERTY_SHIFT = {"Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ"}

# Syllables, compatibility jamo, conjoining jamo and the two extended jamo blocks.
_HANGUL_RANGES = ((SYLLABLE_FIRST, SYLLABLE_LAST), (0x3131, 0x318E), (0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
# The same characters as the body of a regex character class, for tokenisers: `[{HANGUL_CLASS}]+`.
HANGUL_CLASS = "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in _HANGUL_RANGES)

# Conjoining jamo (U+1100.., what NFD and NFKC produce) in the same order as the tables above.
_CONJ_CHOSEONG = range(0x1100, 0x1113)
_CONJ_JUNGSEONG = range(0x1161, 0x1176)
_CONJ_JONGSEONG = range(0x11A8, 0x11C3)


def _keys_of(jamo: str) -> str:
    return _SPLIT.get(jamo, jamo)


def _build_keys_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(SYLLABLE_FIRST, SYLLABLE_LAST + 1):
        i = code - SYLLABLE_FIRST
        table[code] = CHOSEONG[i // 588] + _keys_of(JUNGSEONG[(i % 588) // 28]) + _keys_of(JONGSEONG[i % 28])
    for jamo, keys in _SPLIT.items():
        table[ord(jamo)] = keys
    for code, compat in _build_compat_table().items():
        table[code] = _keys_of(compat)
    return table


def _build_compat_table() -> dict[int, str]:
    table: dict[int, str] = {}
    table.update({code: CHOSEONG[n] for n, code in enumerate(_CONJ_CHOSEONG)})
    table.update({code: JUNGSEONG[n] for n, code in enumerate(_CONJ_JUNGSEONG)})
    table.update({code: JONGSEONG[n + 1] for n, code in enumerate(_CONJ_JONGSEONG)})
    return table


def _build_choseong_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {
        code: CHOSEONG[(code - SYLLABLE_FIRST) // 588] for code in range(SYLLABLE_FIRST, SYLLABLE_LAST + 1)
    }
    table.update({code: CHOSEONG[n] for n, code in enumerate(_CONJ_CHOSEONG)})
    return table


_KEYS_TABLE = _build_keys_table()
_COMPAT_TABLE = _build_compat_table()
_CONJOINING = re.compile(f"[{''.join(map(chr, _COMPAT_TABLE))}]")
_CHOSEONG_TABLE = _build_choseong_table()
_QWERTY_TABLE = {ord(k): v for k, v in _QWERTY.items()} | {ord(k.upper()): v for k, v in _QWERTY.items()}
_QWERTY_TABLE.update({ord(k): v for k, v in _QWERTY_SHIFT.items()})
_CHOSEONG_SET = frozenset(CHOSEONG)
# Compatibility consonants ㄱ..ㅎ (including clusters a user might type) survive `choseong()`.
_COMPAT_CONSONANTS = frozenset(chr(c) for c in range(0x3131, 0x314F))


def nfc(s: str) -> str:
    """NFC-normalize (composes NFD syllables pasted from macOS); never NFKC."""
    return unicodedata.normalize("NFC", s)


def compat_jamo(s: str) -> str:
    """Map stray conjoining jamo (U+1100.., left by NFD or NFKC) to compatibility jamo."""
    # A regex scan is far cheaper than a per-character translate, and NFC text rarely has any.
    return s.translate(_COMPAT_TABLE) if _CONJOINING.search(s) else s


def to_keys(s: str) -> str:
    """Syllables and jamo → 2-beolsik keystroke compatibility jamo; other characters unchanged.

    `to_keys("쿠버네티스") == "ㅋㅜㅂㅓㄴㅔㅌㅣㅅㅡ"`, `to_keys("과") == "ㄱㅗㅏ"`. Expects NFC input.
    """
    return s.translate(_KEYS_TABLE)


def choseong(s: str) -> str:
    """The initial consonants of the Hangul syllables in `s`; lone consonants are kept, all else dropped.

    `choseong("서비스 디스커버리 (Service Discovery)") == "ㅅㅂㅅㄷㅅㅋㅂㄹ"`.
    """
    out = s.translate(_CHOSEONG_TABLE)
    return "".join(ch for ch in out if ch in _COMPAT_CONSONANTS)


def is_choseong_query(s: str) -> bool:
    """True when `s` (ignoring whitespace) is non-empty and made only of the 19 initial consonants."""
    letters = "".join(s.split())
    return bool(letters) and all(ch in _CHOSEONG_SET for ch in letters)


def qwerty_to_keys(s: str) -> str:
    """ASCII letters typed in English mode → the keystroke jamo they would give in Korean mode.

    `qwerty_to_keys("znqjspxltm") == to_keys("쿠버네티스")`. Other characters are unchanged.
    """
    return s.translate(_QWERTY_TABLE)


def is_hangul_char(ch: str) -> bool:
    """A precomposed syllable or any Hangul jamo (compatibility, conjoining, extended)."""
    code = ord(ch)
    # Spelled out rather than looped over _HANGUL_RANGES: this runs per character on hot paths.
    return (
        SYLLABLE_FIRST <= code <= SYLLABLE_LAST
        or 0x3131 <= code <= 0x318E
        or 0x1100 <= code <= 0x11FF
        or 0xA960 <= code <= 0xA97F
        or 0xD7B0 <= code <= 0xD7FF
    )


def has_hangul(s: str) -> bool:
    """True when `s` contains any Hangul syllable or jamo."""
    return any(is_hangul_char(ch) for ch in s)


def is_syllable(ch: str) -> bool:
    """A precomposed Hangul syllable (가-힣), the unit Korean words are written in."""
    return len(ch) == 1 and SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


def has_syllable(s: str) -> bool:
    """True when `s` contains a precomposed Hangul syllable (bare jamo do not count)."""
    return any(SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST for ch in s)


def has_final_consonant(ch: str) -> bool:
    """A syllable that ends in a consonant (받침): 란 does, 라 does not. Particles follow it
    (은/이/을 after one, 는/가/를 after none)."""
    return is_syllable(ch) and (ord(ch) - SYLLABLE_FIRST) % len(JONGSEONG) != 0
