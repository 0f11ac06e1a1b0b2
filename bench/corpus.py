"""A deterministic synthetic corpus of study notes for benchmarks: mixed Korean/English Markdown
in the shapes real notes use (bold list items, plain `Term : definition` items, term headings,
two-column and comparison tables, nested groups, definition lists, `X이란` sentences)."""

from __future__ import annotations

import random
from pathlib import Path

_EN = (
    "Pod Node Cluster Service Ingress Volume Secret Config Mesh Proxy Gateway Runtime Scheduler "
    "Controller Operator Registry Image Layer Network Policy Metric Trace Log Alert Probe Sidecar "
    "Autoscaler Deployment Replica Stateful Daemon Job Cron Namespace Quota Limit Token Role Binding"
).split()
_KO = (
    "컨테이너 클러스터 노드 서비스 볼륨 시크릿 설정 메시 프록시 게이트웨이 런타임 스케줄러 컨트롤러 "
    "레지스트리 이미지 네트워크 정책 메트릭 트레이스 로그 알림 프로브 배포 복제 작업 권한"
).split()
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


def _term(rng: random.Random, note: int, index: int) -> str:
    if rng.random() < 0.4:
        return f"{rng.choice(_KO)} {rng.choice(_KO)} {note}-{index}"
    return f"{rng.choice(_EN)}{rng.choice(_EN)} {note}-{index}"


def _definition(rng: random.Random) -> str:
    return " ".join(rng.sample(_SENTENCES, k=rng.randint(1, 3)))


def _note(rng: random.Random, note: int, terms: int) -> str:
    lines = [f"---\ntitle: Synthetic_Note_{note}\ntags: [bench, kcna]\n---\n", f"# Synthetic note {note}\n"]
    made = 0
    while made < terms:
        left = terms - made
        shape = rng.randrange(8)
        if shape == 0 and left >= 2:
            lines.append(f"\n| 항목 | **{_term(rng, note, made)}** | **{_term(rng, note, made + 1)}** |\n| --- | --- | --- |")
            for aspect in ("주요 목적", "사용 언어", "작동 방식"):
                lines.append(f"| **{aspect}** | {_definition(rng)} | {_definition(rng)} |")
            lines.append("")
            made += 2
        elif shape == 1 and left >= 3:
            rows = min(left, rng.randint(3, 6))
            lines.append("\n| 용어 | 설명 |\n| --- | --- |")
            lines.extend(f"| **{_term(rng, note, made + i)}** | {_definition(rng)}<br>※ 예시 포함 |" for i in range(rows))
            lines.append("")
            made += rows
        elif shape == 2 and left >= 3:
            lines.append(f"\n- **{_term(rng, note, made)}의 특징**")
            lines.extend(f"   - **{_term(rng, note, made + 1 + i)}**: {_definition(rng)}" for i in range(2))
            lines.append("")
            made += 3
        elif shape == 3:
            lines.append(f"\n## {_term(rng, note, made)}\n{_definition(rng)}\n")
            made += 1
        elif shape == 4:
            lines.append(f"\n{_term(rng, note, made)}\n: {_definition(rng)}\n")
            made += 1
        elif shape == 5:
            lines.append(f"- {_term(rng, note, made)} : {_definition(rng)}")
            made += 1
        elif shape == 6:
            lines.append(f"\n```yaml\nkind: Pod\nname: x-{made}\n```\n")
        else:
            lines.append(f"- **{_term(rng, note, made)}** : {_definition(rng)} #tag")
            made += 1
    return "\n".join(lines) + "\n"


def generate(dir: Path, notes: int = 1000, terms: int = 10000, seed: int = 0) -> Path:
    """Write `notes` Markdown files holding `terms` glossary terms in total under `dir`; return it."""
    rng = random.Random(seed)
    dir.mkdir(parents=True, exist_ok=True)
    per_note, extra = divmod(terms, notes)
    for note in range(notes):
        count = per_note + (1 if note < extra else 0)
        (dir / f"note-{note:04d}.md").write_text(_note(rng, note, count), encoding="utf-8")
    return dir
