"""A deterministic synthetic corpus of study notes for benchmarks: mixed Korean/English Markdown
in the shapes real notes use (bold list items, plain `Term : definition` items, term headings,
two-column and comparison tables, nested groups, definition lists, `X이란` sentences)."""

from __future__ import annotations

import random
from pathlib import Path

# Technical word pairs plus made-up words, so the word vocabulary is as large as a real
# glossary's (thousands of distinct words) and lookups have realistic neighbours.
_PAIRS = tuple(
    tuple(item.split())
    for item in """
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
    developer 개발자|portal 포털|catalog 카탈로그|golden 골든|path 경로|cost 비용|efficiency 효율
    speed 속도|edge 엣지|computing 컴퓨팅|foundation 재단|project 프로젝트|sandbox 샌드박스|incubating 인큐베이팅
    graduated 졸업|committee 위원회|technical 기술|oversight 감독|advisory 자문|group 그룹|interest 관심
    """.replace("\n", "|").split("|")
    if item.strip()
)
_PARTICLES = ("는", "를", "의", "에서", "으로", "가", "이", "와", "")
_SYLLABLE_FIRST = 0xAC00
_MAX_TERM_CHARS = 56  # the parser takes longer "terms" for sentences


def _made_up_words(rng: random.Random) -> tuple[list[str], list[str]]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    latin = sorted({
        "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))) + rng.choice(("", "n", "r", "s", "x"))
        for _ in range(3000)
    })
    hangul = sorted({
        "".join(chr(_SYLLABLE_FIRST + rng.randrange(19) * 588 + rng.randrange(21) * 28 + rng.choice((0, 0, 4, 8, 16, 21)))
                for _ in range(rng.randint(2, 4)))
        for _ in range(1500)
    })
    return latin, hangul


_SENTENCES = (
    "클러스터의 상태를 원하는 상태로 유지하는 구성 요소.",
    "A component that keeps the cluster in its desired state.",
    "트래픽을 여러 인스턴스로 분산하여 가용성을 높인다.",
    "Stores configuration separately from the container image.",
    "노드마다 하나씩 실행되어 로그와 메트릭을 수집하는 에이전트.",
    "Routes external HTTP traffic to services inside the cluster.",
    "선언적 설정을 통해 인프라를 코드로 관리하는 방식.",
    "Measures how long requests take and how often they fail.",
)


class _Terms:
    """Term spellings in the forms notes use: `한국어 (English)`, `English`, `한국어`, `English Words (EW)`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.latin, self.hangul = _made_up_words(rng)
        self.taken: set[str] = set()  # per note: the parser merges a term defined twice

    def __call__(self) -> str:
        rng = self.rng
        while True:
            ws = [rng.choice(_PAIRS) if rng.random() < 0.6 else (rng.choice(self.latin), rng.choice(self.hangul))
                  for _ in range(rng.choice((1, 2, 2, 2, 3, 3, 4)))]
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
                term = f"{en} ({''.join(w[0] for w, _ in ws).upper()})" if len(ws) > 1 else en
            if len(term) <= _MAX_TERM_CHARS and term.casefold() not in self.taken:
                self.taken.add(term.casefold())
                return term


def _definition(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(2, 8)):
        en, ko = rng.choice(_PAIRS)
        words.append(en if rng.random() < 0.3 else ko + rng.choice(_PARTICLES))
    return " ".join([*rng.sample(_SENTENCES, k=1), " ".join(words) + "."])


def _note(rng: random.Random, terms: _Terms, note: int, count: int) -> str:
    lines = [f"---\ntitle: Synthetic_Note_{note}\ntags: [bench, kcna]\n---\n", f"# Synthetic note {note}\n"]
    made = 0
    terms.taken.clear()
    while made < count:
        left = count - made
        shape = rng.randrange(8)
        if shape == 0 and left >= 2:
            lines.append(f"\n| 항목 | **{terms()}** | **{terms()}** |\n| --- | --- | --- |")
            for aspect in ("주요 목적", "사용 언어", "작동 방식"):
                lines.append(f"| **{aspect}** | {_definition(rng)} | {_definition(rng)} |")
            lines.append("")
            made += 2
        elif shape == 1 and left >= 3:
            rows = min(left, rng.randint(3, 6))
            lines.append("\n| 용어 | 설명 |\n| --- | --- |")
            lines.extend(f"| **{terms()}** | {_definition(rng)}<br>※ 예시 포함 |" for i in range(rows))
            lines.append("")
            made += rows
        elif shape == 2 and left >= 2:
            # "X의 특징" over its explained members is a group label, not a term (the labelling
            # policy; the parser keeps it as the members' group): only the members count.
            lines.append(f"\n- **{terms()}의 특징**")
            lines.extend(f"   - **{terms()}**: {_definition(rng)}" for i in range(2))
            lines.append("")
            made += 2
        elif shape == 3:
            lines.append(f"\n## {terms()}\n{_definition(rng)}\n")
            made += 1
        elif shape == 4:
            lines.append(f"\n{terms()}\n: {_definition(rng)}\n")
            made += 1
        elif shape == 5:
            lines.append(f"- {terms()} : {_definition(rng)}")
            made += 1
        elif shape == 6:
            lines.append(f"\n```yaml\nkind: Pod\nname: x-{made}\n```\n")
        else:
            lines.append(f"- **{terms()}** : {_definition(rng)} #tag")
            made += 1
    return "\n".join(lines) + "\n"


def generate(dir: Path, notes: int = 1000, terms: int = 10000, seed: int = 0) -> Path:
    """Write `notes` Markdown files holding `terms` glossary terms in total under `dir`; return it."""
    rng = random.Random(seed)
    dir.mkdir(parents=True, exist_ok=True)
    per_note, extra = divmod(terms, notes)
    spell = _Terms(rng)
    for note in range(notes):
        count = per_note + (1 if note < extra else 0)
        (dir / f"note-{note:04d}.md").write_text(_note(rng, spell, note, count), encoding="utf-8")
    return dir
