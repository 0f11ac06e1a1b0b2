"""Korean-aware glossary lookup: ranked autocomplete, typo-tolerant search and full text.

`Glossary` builds every index once from the entries and answers in well under a millisecond for
10,000 terms (see bench/bench_lookup.py). Each entry is looked up through its *names*: the term, its
aliases, and the parts of either around parentheses ("서비스 디스커버리 (Service Discovery)" gives
both halves). Names are compared in keystroke space (bot.engine.hangul.to_keys), so half-typed
syllables are plain prefixes, and ranked in tiers:

1. exact name (case-, spacing- and punctuation-insensitive: "서비스메시" == "서비스 메시");
2. name prefix, then word prefix ("discov" → Service Discovery), then initials of a
   multi-word English name ("cncf"), then keystroke substring ("버네티", "netes");
3. choseong ("ㅋㅂㄴㅌㅅ"), prefix from a Korean word start, then infix;
4. an English name spelled in Hangul nobody curated: letter by letter ("에이치피에이" → HPA), then
   by sound ("헬름" → Helm, "알백" → RBAC; consonant skeletons, bot.engine.soundalike);
5. fuzzy per word (rapidfuzz `fuzz.ratio` against a word vocabulary, Korean words in keystroke
   space so one wrong vowel costs one key of ten), with a bonus for names whose words the query
   covers, so "kubernates" prefers "Kubernetes" over "Queue Kubernetes";
6. the query as typed in the wrong keyboard mode ("znqjspxltm" → 쿠버네티스);
7. full-text hits inside definitions (every query word must occur).

Within a tier the shorter name wins, then the one with fewer words, then deck order. A lower tier
only runs while the result list is not yet full, so the ranking is strict and deterministic; tiers
5 and 6 run only when no name matched exactly and the literal tiers found fewer than five.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, filterfalse, islice

from rapidfuzz import fuzz, process

from bot.engine.hangul import (
    HANGUL_CLASS,
    choseong,
    compat_jamo,
    has_hangul,
    is_choseong_query,
    is_hangul_char,
    nfc,
    qwerty_to_keys,
    to_keys,
)
from bot.engine.gcpause import gc_paused
from bot.engine.soundalike import (
    MIN_KEY,
    hangul_first_vowels,
    hangul_sound_key,
    latin_first_vowel,
    latin_sound_keys,
    letter_spellings,
)
from bot.engine.model import Entry, TextHit

MAX_RESULTS = 25
# Discord autocomplete input is at most 100 characters; anything longer is not a lookup.
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 8

FUZZY_CUTOFF = 70.0
FUZZY_MIN_SCORE = 62.0
SUGGEST_CUTOFF = 55.0
SUGGEST_MIN_SCORE = 40.0
PREFIX_TOKEN_SCORE = 90.0
TYPO_TIERS_BELOW = 5  # the fuzzy and keyboard-layout tiers run while fewer results than this

_LATIN = "0-9A-Za-z\u00c0-\u024f"
# Words are runs of one script, so "ReplicaSet는" gives "ReplicaSet" and the particle "는".
_WORD = re.compile(rf"[{_LATIN}]+|[{HANGUL_CLASS}]+|[^\W_{_LATIN}{HANGUL_CLASS}]+")
_PARENS = re.compile(r"[(（]([^()（）]*)[)）]")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]{0,2}[A-Z][A-Z0-9]{0,6}$")

# Particles and endings stripped from Korean words for full-text matching.
_PARTICLES = frozenset(
    """
    에서부터 으로부터 에서는 에서도 으로는 으로도 이라는 이라고 이라면 에게서 입니다 합니다 됩니다
    했다 하는 하고 하여 해서 하며 하면 하게 되는 되어 되고 된다 이란 이라 라는 라고 에서 으로 에게
    한테 까지 부터 처럼 보다 에는 에도 와는 과는 이나 이며 이고 이다 이자 만큼 마다 조차 밖에
    은 는 이 가 을 를 의 에 로 와 과 도 만 란 한 인 된 나 며 고 들
    """.split()
)
_PARTICLE_LENGTHS = sorted({len(p) for p in _PARTICLES}, reverse=True)

# Short prefixes match too many names to sort at query time; their best ranks are precomputed.
_SHORT_PREFIX = 3
_SHORT_PREFIX_CAP = 60
_TRIGRAM = 3
_MAX_PREFIX_WORDS = 40
_MAX_TEXT_PREFIX_FORMS = 200
_MAX_TEXT_CANDIDATES = 2000


def fold(text: str) -> str:
    """NFC, stray conjoining jamo to compatibility jamo, casefold: the form every index stores."""
    return compat_jamo(nfc(text)).casefold()


def normalize(text: str) -> str:
    """`fold` for queries: input longer than any real lookup is cut first."""
    return fold(text[:MAX_QUERY_CHARS])


def words(text: str) -> list[str]:
    """The words of folded text: runs of Latin letters and digits, of Hangul, or of another script."""
    return _WORD.findall(text)


def korean_stems(word: str) -> set[str]:
    """`word` without a trailing particle or ending (쿠버네티스는 → 쿠버네티스), up to two layers.

    A stem keeps at least two characters, so short words are left alone.
    """
    stems: set[str] = set()
    frontier = [word]
    for _ in range(2):
        found = []
        for w in frontier:
            for n in _PARTICLE_LENGTHS:
                if len(w) - n >= 2 and w[-n:] in _PARTICLES and w[:-n] not in stems:
                    stems.add(w[:-n])
                    found.append(w[:-n])
        frontier = found
    return stems


def _forms(word: str) -> set[str]:
    forms = {word}
    if word and is_hangul_char(word[0]):
        forms |= korean_stems(word)
    return forms


@dataclass(frozen=True, slots=True)
class _Name:
    """One searchable spelling of an entry."""

    entry: int
    order: int
    words: tuple[str, ...]  # casefolded
    keys: str  # keystroke jamo of the words joined without spaces
    word_keys: tuple[str, ...]

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        return (len("".join(self.words)), len(self.words), self.entry, self.order)


class _PrefixIndex:
    """Strings with integer ranks; `ranks(prefix)` gives the ranks of strings with that prefix, ascending."""

    def __init__(self, items: list[tuple[str, int]], entry_of: Sequence[int]) -> None:
        items.sort()
        self._keys = [k for k, _ in items]
        self._ranks = [r for _, r in items]
        n_names = max(len(entry_of), 1)
        # Strings sharing a short prefix are contiguous in sorted order.
        short: dict[str, tuple[int, ...]] = {}
        for length in range(1, _SHORT_PREFIX + 1):
            start = 0
            while start < len(self._keys):
                key = self._keys[start]
                if len(key) < length:
                    start += 1
                    continue
                prefix = key[:length]
                end = bisect_left(self._keys, prefix + "\U0010ffff", start)
                picked: list[int] = []
                entries: set[int] = set()
                for rank in sorted(self._ranks[start:end]):
                    e = entry_of[rank % n_names]
                    if e not in entries:
                        entries.add(e)
                        picked.append(rank)
                        if len(picked) >= _SHORT_PREFIX_CAP:
                            break
                short[prefix] = tuple(picked)
                start = end
        self._short = short

    def ranks(self, prefix: str) -> Sequence[int]:
        if not prefix:
            return ()
        if len(prefix) <= _SHORT_PREFIX:
            return self._short.get(prefix, ())
        lo = bisect_left(self._keys, prefix)
        hi = bisect_left(self._keys, prefix + "\U0010ffff", lo)
        return sorted(self._ranks[lo:hi])


class _SubstringIndex:
    """Substring search over a word vocabulary through trigram postings; answers with name ranks.

    Works per word (a needle spanning two words of a name is not found here; the word-prefix index
    covers needles that start at a word), which keeps the index a fraction of the size of one over
    whole names.
    """

    def __init__(self, word_ranks: dict[str, list[int]]) -> None:
        self._words = list(word_ranks)
        self._word_ranks = [tuple(word_ranks[w]) for w in self._words]
        postings: dict[str, list[int]] = {}
        for wid, word in enumerate(self._words):
            for gram in {word[i : i + _TRIGRAM] for i in range(len(word) - _TRIGRAM + 1)}:
                postings.setdefault(gram, []).append(wid)
        self._postings = {g: tuple(ws) for g, ws in postings.items()}

    def ranks(self, needle: str) -> list[int]:
        if len(needle) < _TRIGRAM:
            return []
        lists = []
        for i in range(len(needle) - _TRIGRAM + 1):
            posting = self._postings.get(needle[i : i + _TRIGRAM])
            if posting is None:
                return []
            lists.append(posting)
        lists.sort(key=len)
        candidates: Iterable[int] = lists[0]
        if len(lists) > 1 and len(lists[0]) > 64:
            candidates = set(lists[0]).intersection(lists[1])
        words_, word_ranks = self._words, self._word_ranks
        found: set[int] = set()
        for wid in candidates:
            if needle in words_[wid]:
                found.update(word_ranks[wid])
        return sorted(found)


class _TextMatch:
    """The entries one query word reaches in full text: definitions with the word (or its stem),
    postings of definition words starting with it (kept apart: their union is rarely needed),
    and entries whose name has it."""

    __slots__ = ("exact", "_exact_sorted", "prefix", "prefix_sorted", "named", "_prefix_union")

    def __init__(
        self,
        exact: set[int],
        exact_sorted: Sequence[int] | None,
        prefix: list[set[int]],
        prefix_sorted: list[tuple[int, ...]],
        named: set[int],
    ) -> None:
        self.exact = exact
        self._exact_sorted = exact_sorted
        self.prefix = prefix
        self.prefix_sorted = prefix_sorted
        self.named = named
        self._prefix_union: set[int] | None = None

    @property
    def exact_sorted(self) -> Sequence[int]:
        if self._exact_sorted is None:
            self._exact_sorted = sorted(self.exact)
        return self._exact_sorted

    @property
    def size(self) -> int:
        """An upper bound of how many entries the word reaches."""
        return len(self.exact) + sum(map(len, self.prefix)) + len(self.named)

    def prefix_union(self) -> set[int]:
        if self._prefix_union is None:
            self._prefix_union = set().union(*self.prefix)
        return self._prefix_union

    def in_prefix(self, e: int) -> bool:
        if self._prefix_union is not None:
            return e in self._prefix_union
        return any(e in posting for posting in self.prefix)

    def union(self) -> set[int]:
        return self.exact | self.prefix_union() | self.named


class _Collector:
    """Entries in the order found, without repeats, up to a limit."""

    def __init__(self, limit: int, entry_of: Sequence[int]) -> None:
        self.limit = limit
        self._entry_of = entry_of
        self.found: dict[int, None] = {}

    @property
    def full(self) -> bool:
        return len(self.found) >= self.limit

    @property
    def need(self) -> int:
        return self.limit - len(self.found)

    def add_ranks(self, ranks: Iterable[int]) -> None:
        entry_of, found, n = self._entry_of, self.found, len(self._entry_of)
        for rank in ranks:
            if len(found) >= self.limit:
                return
            found.setdefault(entry_of[rank % n], None)

    def add_entries(self, entries: Iterable[int]) -> None:
        for e in entries:
            if len(self.found) >= self.limit:
                return
            self.found.setdefault(e, None)


class Glossary:
    """All entries of all decks with their lookup indexes; immutable once built."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id: dict[str, Entry] = {}
        self._index_by_id: dict[str, int] = {}
        for e, entry in enumerate(self.entries):
            self._by_id.setdefault(entry.id, entry)
            self._index_by_id.setdefault(entry.id, e)
        with gc_paused():
            self._build_names()
            self._build_fuzzy()
            self._build_sound()
            self._build_text()
            self._build_relations()
            self._default = self._default_order()

    # ----------------------------------------------------------------------------------- build

    def _build_names(self) -> None:
        names: list[_Name] = []
        keys_of: dict[str, str] = {}  # words repeat across terms; convert each once
        for e, entry in enumerate(self.entries):
            seen: set[str] = set()
            for order, spelling in enumerate(_spellings(entry)):
                ws = tuple(words(fold(spelling)))
                word_keys = tuple([keys_of.get(w) or keys_of.setdefault(w, to_keys(w)) for w in ws])
                keys = "".join(word_keys)
                if keys and keys not in seen:
                    seen.add(keys)
                    names.append(_Name(e, order, ws, keys, word_keys))
        names.sort(key=_Name.sort_key.fget)
        self._names = names
        n = len(names)
        self._entry_of = [name.entry for name in names]  # rank -> entry; rank + k*n maps the same

        exact: dict[str, list[int]] = {}
        initials: dict[str, list[int]] = {}
        prefix_items: list[tuple[str, int]] = []
        cho_items: list[tuple[str, int]] = []
        word_ranks: dict[str, list[int]] = {}
        cho_ranks: dict[str, list[int]] = {}
        # Per distinct word: (Latin letters only, starts with Hangul, choseong).
        traits: dict[str, tuple[bool, bool, str]] = {}
        for rank, name in enumerate(names):
            ws, word_keys = name.words, name.word_keys
            posting = exact.get(name.keys)
            if posting is None:
                exact[name.keys] = [rank]
            else:
                posting.append(rank)
            prefix_items.append((name.keys, rank))
            for i in range(1, len(word_keys)):
                prefix_items.append(("".join(word_keys[i:]), rank + n))
            for wk in word_keys:
                posting = word_ranks.get(wk)
                if posting is None:
                    word_ranks[wk] = [rank]
                else:
                    posting.append(rank)
            word_traits = []
            for w in ws:
                t = traits.get(w)
                if t is None:
                    t = traits[w] = (w.isascii() and w.isalpha(), is_hangul_char(w[0]), choseong(w))
                word_traits.append(t)
            if len(ws) >= 2 and all(t[0] for t in word_traits):
                initials.setdefault("".join(w[0] for w in ws), []).append(rank)
            first_hangul = True
            for i, (_, hangul, cho) in enumerate(word_traits):
                if cho:
                    cho_ranks.setdefault(cho, []).append(rank)
                if hangul:
                    cho_items.append(("".join([t[2] for t in word_traits[i:]]), rank if first_hangul else rank + n))
                    first_hangul = False
        self._exact = exact
        self._initials = initials
        self._prefix = _PrefixIndex(prefix_items, self._entry_of)
        self._cho_prefix = _PrefixIndex(cho_items, self._entry_of)
        self._substring = _SubstringIndex(word_ranks)
        self._cho_substring = _SubstringIndex(cho_ranks)

    def _build_fuzzy(self) -> None:
        vocab: dict[str, int] = {}
        word_names: list[list[int]] = []
        name_vids: list[tuple[int, ...]] = []
        for rank, name in enumerate(self._names):
            vids = []
            for wk in name.word_keys:
                vid = vocab.setdefault(wk, len(vocab))
                if vid == len(word_names):
                    word_names.append([])
                if not word_names[vid] or word_names[vid][-1] != rank:
                    word_names[vid].append(rank)
                vids.append(vid)
            name_vids.append(tuple(vids))
        self._vocab = list(vocab)
        self._vocab_id = vocab
        self._word_names = [tuple(r) for r in word_names]
        self._name_vids = name_vids
        self._vocab_sorted = sorted(vocab)

        # Candidates for a query word: words with the same first key in a length window, plus
        # words one deletion away on either side, which covers a mistyped first key.
        buckets: dict[str, list[str]] = {}
        for token in sorted(vocab, key=lambda t: (len(t), t)):
            buckets.setdefault(token[0], []).append(token)
        self._buckets = {k: (v, [len(t) for t in v]) for k, v in buckets.items()}
        deletes: dict[str, list[int]] = {}
        for token, vid in vocab.items():
            if len(token) >= 3:
                for variant in {token, *(token[:i] + token[i + 1 :] for i in range(len(token)))}:
                    posting = deletes.get(variant)
                    if posting is None:
                        deletes[variant] = [vid]
                    else:
                        posting.append(vid)
        self._deletes = deletes

    def _build_sound(self) -> None:
        """Sound keys of the all-Latin names, suffixed with their first vowel, and the Hangul
        letter-by-letter spellings of short ones (bot.engine.soundalike)."""
        sound: dict[str, list[int]] = {}
        letters: dict[str, list[int]] = {}
        for rank, name in enumerate(self._names):
            if not all(w.isascii() and w.isalpha() for w in name.words):
                continue
            joined = "".join(name.words)
            vowel = latin_first_vowel(joined)
            if vowel:
                for key in latin_sound_keys(" ".join(name.words)):
                    sound.setdefault(key + vowel, []).append(rank)
            if len(name.words) == 1:
                for spelling in letter_spellings(joined):
                    letters.setdefault(spelling, []).append(rank)
        self._sound = sound
        self._letters = letters

    def _build_text(self) -> None:
        by_word: defaultdict[str, list[int]] = defaultdict(list)
        for e, entry in enumerate(self.entries):
            for word in set(words(fold(entry.definition))):
                by_word[word].append(e)
        text_post: dict[str, set[int]] = {}
        for word, found in by_word.items():
            for form in _forms(word):
                merged = text_post.get(form)
                if merged is None:
                    text_post[form] = set(found)
                else:
                    merged.update(found)
        term_post: dict[str, set[int]] = {}
        forms_of: dict[str, set[str]] = {}
        for name in self._names:
            for word in name.words:
                forms = forms_of.get(word)
                if forms is None:
                    forms = forms_of[word] = _forms(word)
                for form in forms:
                    posting_set = term_post.get(form)
                    if posting_set is None:
                        term_post[form] = {name.entry}
                    else:
                        posting_set.add(name.entry)
        self._text_post = text_post  # read-only from here on, like every index
        # The same postings ascending, so the first entries of a frequent word need no sort.
        self._text_sorted = {form: tuple(sorted(found)) for form, found in text_post.items()}
        self._term_post = term_post
        self._text_vocab = sorted(text_post)

    def _build_relations(self) -> None:
        self._by_term: dict[tuple[str, str], list[int]] = {}
        self._by_group: dict[tuple[str, str], list[int]] = {}
        self._by_section: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for e, entry in enumerate(self.entries):
            for spelling in entry.names:
                self._by_term.setdefault((entry.deck, normalize(spelling).strip()), []).append(e)
            if entry.group:
                self._by_group.setdefault((entry.deck, normalize(entry.group).strip()), []).append(e)
            self._by_section.setdefault((entry.deck, entry.section), []).append(e)

    def _default_order(self) -> list[int]:
        """Group parents and acronyms first, then other top-level entries, then members; deck order within."""

        def key(e: int) -> tuple[int, int]:
            entry = self.entries[e]
            if entry.group:
                return (2, e)
            acronym = any(_ACRONYM.match(s.strip()) for s in _spellings(entry))
            return (0 if entry.members or acronym else 1, e)

        return sorted(range(len(self.entries)), key=key)[:MAX_RESULTS]

    # ----------------------------------------------------------------------------------- public

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[Entry]:
        """Ranked entries for an autocomplete or lookup query; at most min(limit, 25), never raises.

        An empty or whitespace-only query gives the default list (top-level entries in deck order).
        """
        limit = min(limit, MAX_RESULTS)
        if limit <= 0:
            return []
        q = normalize(query)
        if not q.strip():
            return [self.entries[e] for e in self._default[:limit]]
        tokens = words(q)[:MAX_QUERY_TOKENS]
        if not tokens:
            return []
        out = _Collector(limit, self._entry_of)
        keys = to_keys("".join(tokens))
        exact = self._exact.get(keys, ())
        self._literal(keys, out)
        if not out.full and is_choseong_query(keys):
            out.add_ranks(self._cho_prefix.ranks(keys))
            out.add_ranks(self._cho_substring.ranks(keys))
        if not out.full:
            self._sound_alike("".join(tokens), out)
        # Typo tolerance is for queries that do not match as typed: a name spelled exactly, or
        # a handful of literal matches, means the user typed what they meant (doc §3.2 pipeline).
        if not exact and len(out.found) < TYPO_TIERS_BELOW:
            out.add_entries(self._fuzzy(tokens, out.need + len(out.found), FUZZY_CUTOFF, FUZZY_MIN_SCORE))
            if len(out.found) < TYPO_TIERS_BELOW:
                self._wrong_layout(query, out)
        if not out.full:
            out.add_entries(e for e, _ in self._text_ranked(tokens, out.need + len(out.found), require_all=True))
        return [self.entries[e] for e in out.found]

    def suggestions(self, query: str, limit: int = 5) -> list[Entry]:
        """A looser "did you mean" list: fuzzy matches with a lower cutoff, then whatever search finds."""
        limit = min(limit, MAX_RESULTS)
        if limit <= 0:
            return []
        q = normalize(query)
        tokens = words(q)[:MAX_QUERY_TOKENS]
        out = _Collector(limit, self._entry_of)
        if tokens:
            out.add_entries(self._fuzzy(tokens, limit, SUGGEST_CUTOFF, SUGGEST_MIN_SCORE))
            layout = self._layout_keys(query)
            if layout and not out.full:
                out.add_entries(self._fuzzy([layout], limit, SUGGEST_CUTOFF, SUGGEST_MIN_SCORE))
        if not out.full:
            out.add_entries(self._index_by_id[entry.id] for entry in self.search(query, limit))
        return [self.entries[e] for e in out.found]

    def search_text(self, query: str, limit: int = 10) -> list[TextHit]:
        """Entries whose definition (or name) contains the query's words, with the spans to highlight.

        Korean particles are ignored on both sides (쿠버네티스는 matches 쿠버네티스); a word of two or
        more characters also matches as a word prefix. Entries matching more query words rank first.
        """
        limit = min(limit, MAX_RESULTS)
        if limit <= 0:
            return []
        tokens = words(normalize(query))[:MAX_QUERY_TOKENS]
        if not tokens:
            return []
        return [
            TextHit(self.entries[e], self._spans(self.entries[e].definition, tokens), float(score))
            for e, score in self._text_ranked(tokens, limit)
        ]

    def related(self, entry: Entry, limit: int = 5) -> list[Entry]:
        """Entries near `entry`: its group (parent, siblings, members), then its section, in deck order."""
        limit = min(limit, MAX_RESULTS)
        if limit <= 0:
            return []
        deck = entry.deck
        picked: dict[int, None] = {}
        groups: list[int] = []
        if entry.group:
            group = normalize(entry.group).strip()
            groups += self._by_term.get((deck, group), [])
            groups += self._by_group.get((deck, group), [])
        own = [normalize(s).strip() for s in entry.names]
        for member in entry.members:
            groups += self._by_term.get((deck, normalize(member).strip()), [])
        for spelling in own:
            groups += self._by_group.get((deck, spelling), [])
        for e in [*groups, *self._by_section.get((deck, entry.section), [])]:
            if self.entries[e].id != entry.id:
                picked.setdefault(e, None)
            if len(picked) >= limit:
                break
        return [self.entries[e] for e in picked]

    # ----------------------------------------------------------------------------------- tiers

    def _literal(self, keys: str, out: _Collector) -> None:
        """Exact, prefix, word-prefix, initials and substring matches of keystroke string `keys`."""
        out.add_ranks(self._exact.get(keys, ()))
        if not out.full:
            out.add_ranks(self._prefix.ranks(keys))
        if not out.full:
            out.add_ranks(self._initials.get(keys, ()))
        if not out.full:
            out.add_ranks(self._substring.ranks(keys))

    def _sound_alike(self, text: str, out: _Collector) -> None:
        """English names that Hangul `text` spells by sound (헬름 → Helm) or letter by letter (에이치피에이 → HPA)."""
        if len(text) < 2 or not all("\uac00" <= ch <= "\ud7a3" for ch in text):
            return
        out.add_ranks(self._letters.get(text, ()))
        key = hangul_sound_key(text)
        if len(key) >= MIN_KEY and not out.full:
            sound, names, n = self._sound, self._names, len(self._names)
            ranks = set(chain.from_iterable(sound.get(key + v, ()) for v in hangul_first_vowels(text)))
            # A Hangul syllable spells about two letters (헬름: Helm, 프로메테우스: Prometheus): a
            # name far off that length only shares consonants (볼륨 is not "Prometheus"), and
            # among the rest the closest length comes first.
            syllables = len(text)
            off = {r: abs(sum(map(len, names[r % n].words)) - 2 * syllables) for r in ranks}
            out.add_ranks(sorted((r for r, d in off.items() if d < syllables), key=lambda r: (off[r], r)))

    def _layout_keys(self, query: str) -> str:
        """The keystrokes of an ASCII query typed in English mode, or "" when it is not one."""
        letters = "".join(nfc(query[:MAX_QUERY_CHARS]).split())
        if not letters.isascii() or not letters.isalpha() or len(letters) < 2:
            return ""
        keys = qwerty_to_keys(letters)
        return keys if has_hangul(keys) else ""

    def _wrong_layout(self, query: str, out: _Collector) -> None:
        keys = self._layout_keys(query)
        if not keys:
            return
        before = len(out.found)
        self._literal(keys, out)
        if len(out.found) == before and not out.full:
            out.add_entries(self._fuzzy([keys], out.limit, FUZZY_CUTOFF, FUZZY_MIN_SCORE))

    def _fuzzy(self, tokens: Sequence[str], limit: int, cutoff: float, min_score: float) -> list[int]:
        """Entries whose names' words are close to the query words, best first.

        A name scores the mean over query words of the best `fuzz.ratio` against its words (in
        keystroke space), scaled by how much of the name the query covers, so a one-word query
        prefers a one-word name ("kubernates" → Kubernetes before Queue Kubernetes).
        """
        probes = [to_keys(t) for t in tokens]
        n = len(probes)
        close = [self._close_words(p, cutoff) for p in probes]
        if n > 1 and len(probes[-1]) >= 2:
            for vid in self._words_with_prefix(probes[-1]):  # the word still being typed
                close[-1][vid] = max(close[-1].get(vid, 0.0), PREFIX_TOKEN_SCORE)
        matched = [set().union(*(self._word_names[vid] for vid in c)) for c in close]
        # A name scoring min_score must have matched at least this many query words.
        needed = max(1, math.ceil(min_score * n / 100 - 1e-9))
        if needed >= n:
            candidates: Iterable[int] = set.intersection(*matched)
        elif needed == 1:
            candidates = set().union(*matched)
        else:
            counts = Counter(chain.from_iterable(matched))
            candidates = [rank for rank, count in counts.items() if count >= needed]

        # Per vocabulary word, its score against each query word (0.0: not close); a name's score
        # needs only the words it has in here. Most names have one such word, so those scores
        # repeat per (word, name length) and are computed once.
        hit_scores = {vid: tuple(c.get(vid, 0.0) for c in close) for vid in set().union(*close)}
        single: dict[tuple[tuple[float, ...], int], float] = {}
        scores_of, name_vids, entry_of = hit_scores.get, self._name_vids, self._entry_of
        best: dict[int, tuple[float, int]] = {}
        for rank in candidates:
            vids = name_vids[rank]
            hits = [h for h in map(scores_of, vids) if h is not None]
            if len(hits) == 1:
                memo = (hits[0], len(vids))
                score = single.get(memo, -1.0)
                if score < 0:
                    score = single[memo] = round(sum(hits[0]) / n * (0.8 + 0.2 / len(vids)), 6)
            else:
                total = sum(max(column) for column in zip(*hits)) if hits else 0.0
                score = round(total / n * (0.8 + 0.2 * len(hits) / len(vids)), 6)
            if score >= min_score:
                e = entry_of[rank]
                key = (-score, rank)
                if e not in best or key < best[e]:
                    best[e] = key
        return [e for e, _ in heapq.nsmallest(limit, best.items(), key=lambda item: item[1])]

    def _close_words(self, probe: str, cutoff: float) -> dict[int, float]:
        """Vocabulary ids within `cutoff` (fuzz.ratio) of one query word in keystroke space."""
        if len(probe) < 3:
            return {}
        found: dict[int, float] = {}
        bucket = self._buckets.get(probe[0])
        if bucket is not None:
            tokens, lengths = bucket
            # fuzz.ratio >= cutoff bounds the other word's length relative to the probe's.
            ratio = cutoff / 100.0
            lo = bisect_left(lengths, math.floor(len(probe) * ratio / (2 - ratio)))
            hi = bisect_left(lengths, math.floor(len(probe) * (2 - ratio) / ratio) + 1)
            for token, score, _ in process.extract(
                probe, tokens[lo:hi], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            ):
                found[self._vocab_id[token]] = score
        deletes = self._deletes
        for variant in {probe, *(probe[:i] + probe[i + 1 :] for i in range(len(probe)))}:
            for vid in deletes.get(variant, ()):
                if vid not in found:
                    score = fuzz.ratio(probe, self._vocab[vid])
                    if score >= cutoff:
                        found[vid] = score
        return found

    def _words_with_prefix(self, prefix: str) -> list[int]:
        vocab = self._vocab_sorted
        lo = bisect_left(vocab, prefix)
        out = []
        for token in vocab[lo : lo + _MAX_PREFIX_WORDS]:
            if not token.startswith(prefix):
                break
            out.append(self._vocab_id[token])
        return out

    # ----------------------------------------------------------------------------------- full text

    def _text_match(self, token: str) -> _TextMatch:
        """What one query word reaches in full text (the stored sets themselves when it has one form)."""
        forms = _forms(token)
        text_post, term_post, text_sorted, vocab = self._text_post, self._term_post, self._text_sorted, self._text_vocab
        prefix: list[set[int]] = []
        prefix_sorted: list[tuple[int, ...]] = []
        for form in forms:
            if _prefix_worthy(form):
                lo = bisect_left(vocab, form)
                for word in vocab[lo : lo + _MAX_TEXT_PREFIX_FORMS]:
                    if not word.startswith(form):
                        break
                    prefix.append(text_post[word])
                    prefix_sorted.append(text_sorted[word])
        empty: set[int] = set()
        if len(forms) == 1:
            (form,) = forms
            return _TextMatch(
                text_post.get(form, empty), text_sorted.get(form, ()), prefix, prefix_sorted, term_post.get(form, empty)
            )
        exact: set[int] = set()
        named: set[int] = set()
        for form in forms:
            exact.update(text_post.get(form, ()))
            named.update(term_post.get(form, ()))
        return _TextMatch(exact, None, prefix, prefix_sorted, named)

    def _one_word_ranked(self, token: str, limit: int) -> list[tuple[int, int]]:
        """(entry, score) of a one-word query, best first: the score levels are plain set algebra,
        each computed only when the better ones leave room, and only as far as needed."""
        match = self._text_match(token)
        exact, named = match.exact, match.named
        n_entries = len(self.entries)
        ranked = [(e, 4) for e in _smallest(exact & named, limit, n_entries)]
        if len(ranked) >= limit:
            return ranked
        named_only = named - exact
        prefix_named = {e for e in named_only if match.in_prefix(e)}
        # Level 3: (exact - named) | prefix_named, smallest first without building the difference.
        level: Iterable[int] = filterfalse(named.__contains__, match.exact_sorted)
        if prefix_named:
            level = heapq.merge(level, sorted(prefix_named))
        ranked.extend((e, 3) for e in islice(level, limit - len(ranked)))
        if len(ranked) >= limit:
            return ranked
        # Level 2: union(prefix) - exact - named; reached only when fewer than `limit` definitions
        # have the word itself, so few merged entries are skipped.
        ranked.extend((e, 2) for e in islice(_prefix_only(match), limit - len(ranked)))
        if len(ranked) >= limit:
            return ranked
        ranked.extend((e, 1) for e in _smallest(named_only - prefix_named, limit - len(ranked), n_entries))
        return ranked

    def _text_ranked(self, tokens: Sequence[str], limit: int, require_all: bool = False) -> list[tuple[int, int]]:
        """(entry, score) best first: entries matching more query words, then higher score, then deck order.

        Per query word: 3 for the word itself in the definition, 2 for a definition word starting
        with it, plus 1 when a name of the entry has it. `require_all` keeps only entries matching
        every query word.
        """
        unique = list(dict.fromkeys(tokens))
        if len(unique) == 1:
            return self._one_word_ranked(unique[0], limit)
        per_token = [self._text_match(t) for t in unique]
        candidates = _reached_by_all(per_token)
        if not require_all and len(candidates) < limit:
            candidates = set().union(*(m.union() for m in per_token))
        # Scoring is per entry; very common words are ranked among the first entries only.
        ranked_candidates = _smallest(candidates, _MAX_TEXT_CANDIDATES, len(self.entries))
        for m in per_token:
            if 2 * len(ranked_candidates) * len(m.prefix) > sum(map(len, m.prefix)):
                m.prefix_union()  # cheaper than probing each posting per candidate
        scored = []
        for e in ranked_candidates:
            matched = score = 0
            for m in per_token:
                points = 3 if e in m.exact else 2 if m.in_prefix(e) else 0
                points += e in m.named
                matched += points > 0
                score += points
            scored.append((-matched, -score, e))
        return [(e, -score) for _, score, e in heapq.nsmallest(limit, scored)]

    def _spans(self, definition: str, tokens: Sequence[str]) -> tuple[tuple[int, int], ...]:
        """(start, end) in `definition` of each word matching a query word; particles left out."""
        wanted = [_forms(t) for t in tokens]
        spans: list[tuple[int, int]] = []
        for match in _WORD.finditer(definition):
            raw = match.group()
            word = normalize(raw)
            best = _match_length(word, wanted)
            if best:
                start = match.start()
                length = best if len(word) == len(raw) else len(raw)
                spans.append((start, start + length))
        return tuple(spans)



def _reached_by_all(matches: Sequence[_TextMatch]) -> set[int]:
    """Entries every query word reaches, starting from the word reaching fewest."""
    ordered = sorted(matches, key=lambda m: m.size)
    if ordered[0].size == 0:
        return set()
    found = ordered[0].union()
    for m in ordered[1:]:
        if not found:
            break
        if len(found) * (2 + len(m.prefix)) <= m.size:
            # Each `found & posting` walks the smaller side, `found`.
            found = set().union(found & m.exact, found & m.named, *(found & posting for posting in m.prefix))
        else:
            found &= m.union()
    return found


def _prefix_only(match: _TextMatch) -> Iterator[int]:
    """Ascending entries of the prefix postings that neither have the word itself nor name it."""
    exact, named = match.exact, match.named
    last = -1
    for e in heapq.merge(*match.prefix_sorted):
        if e != last:
            last = e
            if e not in exact and e not in named:
                yield e


def _smallest(values: set[int] | frozenset[int], k: int, universe: int) -> list[int]:
    """The k smallest of a set of ints in range(universe), without sorting a large set."""
    if k <= 0:
        return []
    if len(values) <= 4 * k or len(values) * 8 <= universe:
        return sorted(values)[:k]
    # Dense set: walking 0, 1, 2, ... meets k members after about k * universe / len(values) steps.
    return list(islice(filter(values.__contains__, range(universe)), k))


def _match_length(word: str, wanted: Sequence[set[str]]) -> int:
    """How much of `word` to highlight when it matches a query word form (0: no match).

    The stem when the query names it or is a prefix of it, so "쿠버네티스는" highlights "쿠버네티스".
    """
    forms = sorted(_forms(word), key=len)
    for query_forms in wanted:
        for form in forms:
            if form in query_forms:
                return len(form)
    for query_forms in wanted:
        for form in forms:
            if any(form.startswith(q) and _prefix_worthy(q) for q in query_forms):
                return len(form)
    return 0


def _prefix_worthy(form: str) -> bool:
    """Long enough to match as a word prefix: three characters, or two Hangul syllables."""
    return len(form) >= 3 or (len(form) == 2 and is_hangul_char(form[0]))


def _spellings(entry: Entry) -> Iterator[str]:
    """The term and aliases, and for each the text around and inside parentheses."""
    for spelling in entry.names:
        yield spelling
        inner = _PARENS.findall(spelling)
        if inner:
            yield _PARENS.sub(" ", spelling)
            yield from inner
