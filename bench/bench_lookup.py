"""Glossary lookup speed and hit rate over 10,000 mixed Korean/English terms, against difflib.

Builds a deterministic synthetic glossary (forms "KO (EN)", EN, KO, "EN (ACR)" over a few hundred
technical word pairs plus made-up words, so the word vocabulary is realistically large), then times
`Glossary.search` per query kind: p50/p99 in µs, and how often the source entry is in the top 5
(top 25 for kinds that are ambiguous by nature, such as a 3-letter prefix). The same queries go
through `difflib.get_close_matches` over the lower-cased terms for comparison (on a sample: it takes
tens of milliseconds per query). p99 is judged on thread CPU time, which other busy
processes on the machine do not inflate; wall-clock p99 is in the note. Peak RSS is the whole process's, read after everything ran.

`python -m bench lookup`
"""

from __future__ import annotations

import difflib
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.table import Row
from bot.engine.glossary import Glossary
from bot.engine.hangul import CHOSEONG, JONGSEONG, SYLLABLE_FIRST, choseong, to_keys
from bot.engine.model import Entry, SourceRef

TERMS = 10_000
QUERIES_PER_KIND = 200
DIFFLIB_SAMPLE = 15
REPEATS = 3
SEED = 20240601
P99_GOAL_US = 1000.0
RSS_GOAL_MB = 150.0

_PAIRS = """
kubernetes 쿠버네티스|container 컨테이너|service 서비스|discovery 디스커버리|mesh 메시|pod 파드|node 노드
cluster 클러스터|deployment 디플로이먼트|replica 레플리카|scaling 스케일링|autoscaler 오토스케일러
horizontal 수평|vertical 수직|network 네트워크|storage 스토리지|volume 볼륨|ingress 인그레스|gateway 게이트웨이
proxy 프록시|sidecar 사이드카|load 부하|balancer 밸런서|monitoring 모니터링|logging 로깅|tracing 트레이싱
metric 메트릭|alert 알림|event 이벤트|function 함수|runtime 런타임|image 이미지|registry 레지스트리
pipeline 파이프라인|build 빌드|release 릴리스|rollback 롤백|canary 카나리|blue 블루|green 그린|update 업데이트
security 보안|policy 정책|role 역할|binding 바인딩|secret 시크릿|config 설정|map 맵|namespace 네임스페이스
controller 컨트롤러|operator 오퍼레이터|scheduler 스케줄러|queue 큐|stream 스트림|broker 브로커|topic 토픽
database 데이터베이스|cache 캐시|index 인덱스|shard 샤드|partition 파티션|backup 백업|restore 복구
availability 가용성|resilience 복원력|agility 민첩성|observability 관측성|automation 자동화|infrastructure 인프라
code 코드|template 템플릿|module 모듈|provider 프로바이더|state 상태|drift 드리프트|plan 계획|apply 적용
serverless 서버리스|lambda 람다|trigger 트리거|webhook 웹훅|token 토큰|certificate 인증서|identity 아이덴티티
access 접근|control 제어|audit 감사|compliance 컴플라이언스|latency 지연|throughput 처리량|overload 과부하
request 요청|limit 제한|quota 쿼터|priority 우선순위|affinity 어피니티|taint 테인트|toleration 톨러레이션
probe 프로브|health 헬스|check 체크|liveness 활성|readiness 준비성|startup 스타트업|job 잡|cron 크론
daemon 데몬|set 셋|stateful 스테이트풀|stateless 스테이트리스|headless 헤드리스|endpoint 엔드포인트
dns 디엔에스|route 라우트|traffic 트래픽|split 분할|mirror 미러|retry 재시도|timeout 타임아웃|circuit 서킷
breaker 브레이커|fault 장애|injection 주입|chaos 카오스|engineering 엔지니어링|platform 플랫폼|team 팀
developer 개발자|portal 포털|catalog 카탈로그|template 틀|golden 골든|path 경로|cost 비용|efficiency 효율
speed 속도|edge 엣지|computing 컴퓨팅|foundation 재단|project 프로젝트|sandbox 샌드박스|incubating 인큐베이팅
graduated 졸업|committee 위원회|technical 기술|oversight 감독|advisory 자문|group 그룹|interest 관심
""".replace("\n", "|").split("|")

_PARTICLES = ("는", "를", "의", "에서", "으로", "가", "이", "와", "")


@dataclass(frozen=True)
class _Query:
    kind: str
    text: str
    target: int  # index of the entry the query was made from
    top: int  # the target must be within this many results to count as a hit


def _pairs() -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, _PAIRS):
        en, ko = item.split()
        pairs.append((en, ko))
    return pairs


def _made_up_words(rng: random.Random) -> tuple[list[str], list[str]]:
    """Pseudo-words so the vocabulary has thousands of distinct words, as a real glossary does."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    latin = sorted({
        "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))) + rng.choice(("", "n", "r", "s", "x"))
        for _ in range(3000)
    })
    hangul = sorted({
        "".join(chr(SYLLABLE_FIRST + rng.randrange(19) * 588 + rng.randrange(21) * 28 + rng.choice((0, 0, 4, 8, 16, 21)))
                for _ in range(rng.randint(2, 4)))
        for _ in range(1500)
    })
    return latin, hangul


def _corpus() -> list[Entry]:
    rng = random.Random(SEED)
    pairs = _pairs()
    latin, hangul = _made_up_words(rng)
    fixed = [
        ("쿠버네티스 (Kubernetes)", ()), ("Kubernetes", ("쿠버네티스",)), ("서비스 디스커버리 (Service Discovery)", ()),
        ("Service Deiscovery", ()), ("Horizontal Pod Autoscaler (HPA)", ()), ("수평 파드 오토스케일러 (HPA)", ()),
        ("Service Mesh", ("서비스 메시",)), ("FaaS(Function as a Service)", ()), ("과부하", ()), ("파드", ()),
    ]
    terms: dict[str, tuple[str, ...]] = dict(fixed)
    while len(terms) < TERMS:
        n = rng.choice((1, 2, 2, 2, 3, 3, 4))
        ws = []
        for _ in range(n):
            if rng.random() < 0.6:
                ws.append(rng.choice(pairs))
            else:
                ws.append((rng.choice(latin), rng.choice(hangul)))
        en = " ".join(w.capitalize() for w, _ in ws)
        ko = " ".join(k for _, k in ws)
        form = rng.random()
        if form < 0.45:
            term = f"{ko} ({en})"
        elif form < 0.70:
            term = en
        elif form < 0.90:
            term = ko
        else:
            term = f"{en} ({''.join(w[0] for w, _ in ws).upper()})" if n > 1 else en
        terms.setdefault(term, ())
    entries = []
    for i, (term, aliases) in enumerate(terms.items()):
        sentence = []
        for _ in range(rng.randint(8, 20)):
            en, ko = rng.choice(pairs)
            sentence.append(en if rng.random() < 0.3 else ko + rng.choice(_PARTICLES))
        deck = f"deck{i % 20}"
        entries.append(Entry(
            id=Entry.make_id(deck, term), term=term, definition=" ".join(sentence) + ".", deck=deck,
            source=SourceRef(f"{deck}.md", i + 1), aliases=aliases, section=(f"section {i % 50}",),
        ))
    return entries


# ------------------------------------------------------------------------------------- queries

_VOWEL_SWAP = {"ㅔ": "ㅐ", "ㅐ": "ㅔ", "ㅓ": "ㅗ", "ㅗ": "ㅓ", "ㅜ": "ㅡ", "ㅡ": "ㅜ", "ㅏ": "ㅓ", "ㅣ": "ㅟ"}
_QWERTY_OF = dict(zip("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", "qwertyuiopasdfghjklzxcvbnm", strict=True))
_QWERTY_OF.update({"ㅃ": "Q", "ㅉ": "W", "ㄸ": "E", "ㄲ": "R", "ㅆ": "T", "ㅒ": "O", "ㅖ": "P"})
_JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"


def _split_name(term: str) -> tuple[str, str]:
    """(Korean part, English part) of a synthetic term."""
    if "(" in term:
        outer, inner = term.rstrip(")").split("(", 1)
        outer, inner = outer.strip(), inner.strip()
        return (outer, inner) if any("\uac00" <= c <= "\ud7a3" for c in outer) else ("", outer)
    return (term, "") if any("\uac00" <= c <= "\ud7a3" for c in term) else ("", term)


def _syllable(cho: int, jung: int, jong: int) -> str:
    return chr(SYLLABLE_FIRST + cho * 588 + jung * 28 + jong)


def _parts(ch: str) -> tuple[int, int, int]:
    i = ord(ch) - SYLLABLE_FIRST
    return i // 588, (i % 588) // 28, i % 28


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + rng.choice("aeioustrn") + word[i:]
    return word[:i] + rng.choice("aeioustrn") + word[i + 1 :]


def _make_queries(entries: list[Entry]) -> list[_Query]:
    rng = random.Random(SEED + 1)
    by_kind: dict[str, list[_Query]] = {}

    def add(kind: str, text: str, target: int, top: int = 5) -> None:
        if text and len(by_kind.setdefault(kind, [])) < QUERIES_PER_KIND:
            by_kind[kind].append(_Query(kind, text, target, top))

    order = list(range(len(entries)))
    rng.shuffle(order)
    for idx in order:
        entry = entries[idx]
        ko, en = _split_name(entry.term)
        acronym = entry.term.rsplit("(", 1)[-1].rstrip(")") if en.isupper() or "(" in entry.term else ""
        add("exact", (ko or en).lower(), idx)
        if acronym.isupper() and acronym.isalpha() and len(acronym) >= 2 and " " not in acronym:
            add("acronym", acronym.lower(), idx, 25)
        if en:
            ws = en.split()
            add("prefix", en.lower()[: rng.randint(3, 8)], idx, 25)
            if len(ws) > 1:
                add("word prefix", ws[1].lower()[: rng.randint(3, 6)], idx, 25)
            long_words = [w for w in ws if len(w) >= 5]
            if long_words:
                typo_at = rng.choice(long_words)
                add("English typo", " ".join(_typo(w.lower(), rng) if w is typo_at else w.lower() for w in ws), idx)
        if ko:
            syllables = [c for c in ko if "\uac00" <= c <= "\ud7a3"]
            compact = ko.replace(" ", "")
            add("choseong", choseong(ko)[: rng.randint(2, 6)], idx, 25)
            if len(compact) >= 3:
                cut = rng.randint(2, len(compact) - 1)
                add("partial syllable", compact[:cut] + CHOSEONG[_parts(compact[cut])[0]], idx, 25)
                c, v, f = _parts(compact[cut - 1])
                nxt = CHOSEONG[_parts(compact[cut])[0]]
                if f == 0 and nxt in JONGSEONG:
                    add("IME form", compact[: cut - 1] + _syllable(c, v, JONGSEONG.index(nxt)), idx, 25)
            if " " in ko:
                add("spacing", compact, idx)
            if len(syllables) >= 3:
                at = rng.choice([i for i, ch in enumerate(ko) if ch != " "])
                c, v, f = _parts(ko[at])
                swapped = _VOWEL_SWAP.get(_JUNGSEONG[v])
                if swapped:
                    add("Korean typo", ko[:at] + _syllable(c, _JUNGSEONG.index(swapped), f) + ko[at + 1 :], idx)
            add("QWERTY layout", "".join(_QWERTY_OF.get(k, k) for k in to_keys(compact)), idx)
        word = rng.choice(entry.definition.rstrip(".").split())
        add("full-text", word, idx, 10**9)  # words repeat across definitions: speed only
    kinds = ("exact", "acronym", "prefix", "word prefix", "English typo", "choseong", "partial syllable",
             "IME form", "spacing", "Korean typo", "QWERTY layout", "full-text")
    return [q for kind in kinds for q in by_kind.get(kind, [])]


# ------------------------------------------------------------------------------------- timing


def _percentiles(samples_ns: list[int]) -> tuple[float, float]:
    ordered = sorted(samples_ns)
    p50 = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    return p50, p99


def _time(fn: Callable[[str], object], queries: list[_Query], repeats: int) -> tuple[list[int], list[int]]:
    """Wall-clock and thread-CPU nanoseconds per call; CPU time is immune to other busy processes."""
    wall, cpu = [], []
    for _ in range(repeats):
        for q in queries:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            fn(q.text)
            cpu.append(time.thread_time_ns() - start_cpu)
            wall.append(time.perf_counter_ns() - start)
    return wall, cpu


def run() -> list[Row]:
    entries = _corpus()
    started, started_cpu = time.perf_counter(), time.process_time()
    glossary = Glossary(entries)
    build_s, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    rows = [Row("lookup", f"build Glossary, {len(entries):,} terms", build_s * 1000, "ms",
                note=f"CPU {build_cpu * 1000:,.0f} ms; all indexes")]

    queries = _make_queries(entries)
    choices = [e.term.lower() for e in entries]
    for q in queries[:50]:
        glossary.search(q.text)  # warm-up
    kinds = list(dict.fromkeys(q.kind for q in queries))
    worst_p99 = 0.0
    for kind in kinds:
        qs = [q for q in queries if q.kind == kind]
        wall, cpu = _time(glossary.search, qs, REPEATS)
        p50, wall_p99 = _percentiles(wall)
        _, p99 = _percentiles(cpu)
        worst_p99 = max(worst_p99, p99)
        hits = sum(entries[q.target] in glossary.search(q.text)[: q.top] for q in qs)
        top = qs[0].top
        quality = "" if top > 25 else f"target in top {top}: {hits / len(qs):.0%}"
        rows.append(Row("lookup", f"search {kind} p50", p50, "µs", note=f"{len(qs)} queries e.g. {qs[0].text!r}"))
        rows.append(Row("lookup", f"search {kind} p99 (CPU)", p99, "µs", f"<= {P99_GOAL_US:,.0f}", p99 <= P99_GOAL_US,
                        f"wall p99 {wall_p99:,.0f} µs; {quality}"))
        sample = qs[:DIFFLIB_SAMPLE]
        d50, d99 = _percentiles(_time(lambda t: difflib.get_close_matches(t.lower(), choices, n=25), sample, 1)[0])
        d_hits = sum(entries[q.target].term.lower() in difflib.get_close_matches(q.text.lower(), choices, n=25)[: min(q.top, 25)]
                     for q in sample)
        d_quality = "" if top > 25 else f"target in top {min(top, 25)}: {d_hits / len(sample):.0%}"
        rows.append(Row("lookup", f"difflib {kind} p50/p99", d50, "µs", note=f"p99 {d99:,.0f} µs, {len(sample)} queries; {d_quality}"))

    text_qs = [q for q in queries if q.kind == "full-text"]
    t50, t99 = _percentiles(_time(glossary.search_text, text_qs, REPEATS)[0])
    rows.append(Row("lookup", "search_text p50", t50, "µs", note="10 hits with spans"))
    rows.append(Row("lookup", "search_text p99", t99, "µs"))
    sug = [q for q in queries if q.kind in ("English typo", "Korean typo")]
    s50, s99 = _percentiles(_time(glossary.suggestions, sug, REPEATS)[0])
    rows.append(Row("lookup", "suggestions p50", s50, "µs", note="typo queries"))
    rows.append(Row("lookup", "suggestions p99", s99, "µs"))
    rows.append(Row("lookup", "search p99 (CPU), worst kind", worst_p99, "µs", f"<= {P99_GOAL_US:,.0f}", worst_p99 <= P99_GOAL_US))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(Row("lookup", "peak RSS", rss_mb, "MB", f"<= {RSS_GOAL_MB:.0f}", rss_mb <= RSS_GOAL_MB, "whole process"))
    return rows


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
