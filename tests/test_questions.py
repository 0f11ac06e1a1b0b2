"""The question bank over a hand-built deck modelled on the default KCNA note, plus the real
default deck once the loader exists."""

from __future__ import annotations

import json
import re

import pytest

from bot.engine.model import Deck, Entry, EntryShape, Notes, Question, QuestionKind, SourceRef, StudyTable
from bot.engine.questions import (
    MASK,
    PROMPT_ACRONYM,
    PROMPT_EXPANSION,
    PROMPT_GROUP_MEMBER,
    PROMPT_GROUP_NON_MEMBER,
    build_question_bank,
    compile_mask,
    mask,
    name_forms,
    choice_key,
    question_to_json,
)

PATH = "data/notes/cloud-native-fundamentals.md"
DECK = "cloud-native-fundamentals"

# --------------------------------------------------------------------------------------------
# A deck shaped like the default note


def entry(term: str, definition: str = "", *, line: int, section: tuple[str, ...], deck: str = DECK,
          path: str = PATH, aliases: tuple[str, ...] = (), group: str | None = None,
          members: tuple[str, ...] = (), table_id: str | None = None,
          shape: EntryShape = EntryShape.LIST_ITEM) -> Entry:
    return Entry(id=Entry.make_id(deck, term), term=term, definition=definition, deck=deck,
                 source=SourceRef(path, line), aliases=aliases, section=section, shape=shape,
                 group=group, members=members, table_id=table_id)


ARCH = ("Cloud Native 아키텍쳐",)
SCALING = ("Cloud Native 아키텍쳐", "Auto Scaling")
SERVERLESS = ("Serverless",)
CNCF = ("CNCF (Cloud Native Computing Foundation)",)
SECURITY = ("Cloud Native Security 4요소",)
FEATURES = "Cloud Native Application의 특징"

KEDA_DEFINITION = ("Event Driven Autoscaling을 지원하는 쿠버네티스 확장 기능으로, 다양한 이벤트 소스를 기반으로 "
                   "Pod의 수를 자동으로 조정합니다. KEDA는 HPA 위에 올라타는 방식이지만, 사용자는 KEDA CRD만 "
                   "정의하면 됨.")
LONG_DEFINITION = ("쿠버네티스 클러스터의 노드를 자동으로 추가하거나 제거하는 기능이며 pod가 실패했을때 적절한 노드를 찾아 "
                   "새로운 노드를 추가하거나 pod가 더 이상 필요하지 않을 때 노드를 제거하고 이를 통해 클러스터의 리소스를 "
                   "효율적으로 관리할 수 있으며 비용도 절감할 수 있고 운영자의 수고도 덜어주는 아주 긴 설명의 예시입니다 "
                   "그리고 문장이 끝나지 않고 계속 이어집니다 계속 이어집니다")

PROJECTS = StudyTable(
    id="t-projects", deck=DECK, source=SourceRef(PATH, 120), section=CNCF,
    items=("Kubernetes", "Prometheus", "Envoy", "Helm"),
    aspects=("설명", "유형"),
    cells=(("컨테이너 오케스트레이션 플랫폼.", "Orchestration"),
           ("시계열 기반의 모니터링 및 경고 시스템.", "Monitoring"),
           ("고성능 서비스 프록시.", "Proxy"),
           ("Kubernetes용 패키지 관리자.", "")),
)
TERRAFORM_ANSIBLE = StudyTable(
    id="t-iac", deck=DECK, source=SourceRef(PATH, 24), section=ARCH, comparison=True,
    items=("Terraform", "Ansible"),
    aspects=("주요 목적", "사용 언어", "에이전트 필요 여부", "기타 특징"),
    cells=(("인프라 프로비저닝 (서버, 네트워크 등 생성)", "선언형 (HCL)", "에이전트 없음",
            "Terraform은 인프라의 현재 상태를 기준으로 동작"),
           ("서버 설정 및 구성 관리 (설치, 배포 등)", "절차형 + 선언형 (YAML)", "에이전트 없음 (SSH 사용)",
            "플레이북 기반, 순서대로 실행됨")),
)


def _entries() -> tuple[Entry, ...]:
    return (
        entry("Monolithic Architecture", "전통적인 애플리케이션 아키텍처로, 모든 기능이 하나의 코드베이스에 통합되어 있음. "
              "tight coupling이라고도 함.", line=10, section=ARCH),
        entry("Microservices Architecture", "애플리케이션을 작은 독립적인 서비스로 분리하여 개발, 배포, 확장이 용이하도록 함.",
              line=11, section=ARCH, aliases=("MSA",)),
        entry(FEATURES, "", line=13, section=ARCH,
              members=("Resiliency", "Agility", "Operability", "Observability")),
        entry("Resiliency", "시스템이 장애에 강하고, 빠르게 복구할 수 있는 능력.", line=14, section=ARCH, group=FEATURES),
        entry("Agility", "빠르게 변화하는 요구사항에 유연하게 대응하고, 빠르게 배포할 수 있는 능력.", line=15, section=ARCH,
              group=FEATURES),
        entry("Operability", "시스템을 쉽게 운영, 관리, 모니터링, 유지보수할 수 있는 능력.", line=16, section=ARCH,
              group=FEATURES),
        entry("Observability", "시스템 내부 상태를 로그, 메트릭, 트레이싱 등을 통해 외부에서 파악할 수 있는 능력.", line=17,
              section=ARCH, group=FEATURES),
        entry("Cloud Native Pattern", "", line=19, section=ARCH, members=("Self Healing", "Application Automation")),
        entry("Self Healing", "시스템이 장애를 감지하고 자동으로 복구하는 패턴.", line=20, section=ARCH,
              group="Cloud Native Pattern"),
        entry("Application Automation", "Ansible나 Terraform과 같은 도구로 애플리케이션 구성을 자동화하는 패턴.", line=21,
              section=ARCH, group="Cloud Native Pattern"),
        entry("Terraform", "주요 목적: 인프라 프로비저닝; 사용 언어: 선언형 (HCL)", line=24, section=ARCH,
              table_id="t-iac", shape=EntryShape.TABLE_COLUMN),
        entry("Reactive AutoScaling", "scale according to workload. 시스템의 부하가 증가하거나 감소할 때 자동으로 리소스를 "
              "조정하는 방식.", line=52, section=SCALING),
        entry("Scheduled AutoScaling", "특정 시간에 리소스를 조정하는 방식.", line=53, section=SCALING),
        entry("Predictive AutoScaling", "머신러닝을 사용하여 미래의 부하를 예측하고, 이에 따라 리소스를 조정하는 방식.", line=54,
              section=SCALING),
        entry("Cluster Autoscaler", LONG_DEFINITION, line=57, section=SCALING),
        entry("Horizontal Pod Autoscaler (HPA)", "쿠버네티스에서 Pod의 수를 자동으로 조정하는 기능. HPA는 CPU 사용률을 "
              "기반으로 합니다.", line=58, section=SCALING),
        entry("Vertical Pod Autoscaler (VPA)", "쿠버네티스에서 Pod의 리소스 요청과 제한을 자동으로 조정하는 기능.", line=59,
              section=SCALING),
        entry("KEDA", KEDA_DEFINITION, line=60, section=SCALING),
        entry("FaaS(Function as a Service)", "개발자는 서버를 관리할 필요 없이 함수 단위로 코드를 작성하고 실행할 수 있습니다.",
              line=72, section=SERVERLESS),
        entry("CloudEvents", "이벤트 중심의 아키텍처를 지원하는 오픈 소스 프로젝트로, 이벤트의 표준을 제공. CNCF가 호스트.",
              line=73, section=SERVERLESS),
        entry("CNCF (Cloud Native Computing Foundation)", "CNCF는 클라우드 네이티브 기술의 발전과 표준화를 위해 설립된 "
              "오픈 소스 소프트웨어 재단.", line=77, section=CNCF, shape=EntryShape.HEADING),
        entry("Technical Oversight Committee(TOC)", "CNCF의 기술적 방향과 프로젝트의 품질을 관리하는 위원회.", line=85,
              section=CNCF),
        entry("Kubernetes", "컨테이너 오케스트레이션 플랫폼.", line=121, section=CNCF, table_id="t-projects",
              shape=EntryShape.TABLE_ROW, aliases=("K8S",)),
        entry("Prometheus", "시계열 기반의 모니터링 및 경고 시스템.", line=122, section=CNCF, table_id="t-projects",
              shape=EntryShape.TABLE_ROW),
        entry("Envoy", "고성능 서비스 프록시.", line=123, section=CNCF, table_id="t-projects", shape=EntryShape.TABLE_ROW),
        entry("Helm", "Kubernetes용 패키지 관리자.", line=124, section=CNCF, table_id="t-projects",
              shape=EntryShape.TABLE_ROW),
        entry("Cloud Native Security 4요소", "", line=160, section=SECURITY,
              members=("Cloud", "Clusters", "Containers", "Code")),
        entry("Elections and Voting", "", line=90, section=CNCF),
    )


def default_like_notes() -> Notes:
    deck = Deck(name=DECK, path=PATH, entries=_entries(), tables=(TERRAFORM_ANSIBLE, PROJECTS),
                sections=(ARCH, SCALING, SERVERLESS, CNCF, SECURITY))
    return Notes(decks=(deck,))


def second_deck(*terms: tuple[str, str]) -> Deck:
    name, path = "docker-basics", "data/notes/docker-basics.md"
    section = ("Docker",)
    entries = tuple(entry(t, d, line=i + 3, section=section, deck=name, path=path) for i, (t, d) in enumerate(terms))
    return Deck(name=name, path=path, entries=entries)


@pytest.fixture(scope="module")
def notes() -> Notes:
    return default_like_notes()


@pytest.fixture(scope="module")
def bank(notes):
    return build_question_bank(notes, seed=7)


def by_kind(bank, kind: QuestionKind, term: str | None = None) -> list[Question]:
    return [q for q in bank.questions if q.kind is kind and (term is None or q.term == term)]


def one(questions: list[Question]) -> Question:
    assert len(questions) == 1, questions
    return questions[0]


def entry_named(notes: Notes, term: str) -> Entry:
    return next(e for e in notes.entries if e.term == term)


def other_choices(q: Question) -> list[str]:
    return [c for i, c in enumerate(q.choices) if i != q.answer]


# --------------------------------------------------------------------------------------------
# Masking helpers


def test_mask_replaces_a_name_glued_to_a_korean_particle():
    assert mask("KEDA는 HPA 위에 올라탄다", compile_mask(["KEDA"])) == f"{MASK}는 HPA 위에 올라탄다"


def test_mask_leaves_a_latin_name_inside_a_longer_word_alone():
    assert mask("Google and Go", compile_mask(["Go"])) == f"Google and {MASK}"


def test_mask_takes_a_longer_latin_word_containing_a_long_name():
    assert mask("데몬 기반(dockerd 필요)", compile_mask(["Docker"])) == f"데몬 기반({MASK} 필요)"


def test_group_member_glued_into_the_group_name_gets_no_member_question():
    deck = second_deck(("Volume", "데이터를 보존하는 저장소."), ("Network", "컨테이너 간 통신 경로."))
    group = entry("requiredduringschedulingIgnoredduringexecution", "", line=30, section=("Docker",), deck=deck.name,
                  path=deck.path, members=("requiredduringscheduling", "Ignoredduringexecution"))
    bank = build_question_bank(Notes(decks=(Deck(name=deck.name, path=deck.path, entries=(*deck.entries, group)),)))
    assert by_kind(bank, QuestionKind.GROUP) == []


def test_mask_covers_plural_forms_and_any_case():
    assert mask("two hpas and an HPA", compile_mask(["HPA"])) == f"two {MASK} and an {MASK}"


def test_mask_tolerates_different_whitespace_inside_a_name():
    assert mask("a Horizontal  Pod\nAutoscaler here", compile_mask(["Horizontal Pod Autoscaler"])) == f"a {MASK} here"


def test_mask_collapses_a_name_with_its_parenthesised_other_name():
    pattern = compile_mask(name_forms(["Horizontal Pod Autoscaler (HPA)"]))
    assert mask("HPA (Horizontal Pod Autoscaler)는", pattern) == f"{MASK}는"


def test_name_forms_split_parenthesised_acronyms_without_a_space():
    assert name_forms(["FaaS(Function as a Service)"]) == ("FaaS(Function as a Service)", "FaaS",
                                                           "Function as a Service")


def test_choice_key_ignores_case_markup_and_trailing_punctuation():
    assert choice_key("**Service  Mesh**.") == choice_key("service mesh")


# --------------------------------------------------------------------------------------------
# Ids and determinism


def test_ids_are_the_same_for_every_seed(notes):
    assert [q.id for q in build_question_bank(notes, seed=1).questions] == \
        [q.id for q in build_question_bank(notes, seed=2).questions]


def test_same_seed_builds_the_same_bank(notes):
    assert build_question_bank(notes, seed=3) == build_question_bank(notes, seed=3)


def test_different_seeds_shuffle_some_choices_differently(notes):
    first = build_question_bank(notes, seed=1).questions
    second = build_question_bank(notes, seed=2).questions
    assert any(a.choices != b.choices for a, b in zip(first, second, strict=True))


def test_ids_survive_an_edit_to_another_entry(notes, bank):
    deck = notes.decks[0]
    edited = tuple(e if e.term != "Envoy" else entry("Envoy", "고성능 L7 프록시. 서비스 메시의 데이터 플레인.", line=130,
                                                       section=CNCF, table_id="t-projects")
                   for e in deck.entries)
    rebuilt = build_question_bank(Notes(decks=(Deck(name=DECK, path=PATH, entries=edited,
                                                    tables=deck.tables),)), seed=7)
    keda = {q.id for q in bank.questions if q.term == "KEDA"}
    assert keda and keda <= {q.id for q in rebuilt.questions}


def test_ids_are_unique(bank):
    assert len({q.id for q in bank.questions}) == len(bank.questions)


def test_two_entries_with_the_same_term_get_different_question_ids():
    twin = second_deck(("Image", "컨테이너 실행에 필요한 파일 묶음."), ("Image", "읽기 전용 템플릿."),
                       ("Volume", "데이터를 보존하는 저장소."))
    bank = build_question_bank(Notes(decks=(twin,)))
    ids = [q.id for q in bank.questions if q.term == "Image"]
    assert len(ids) == 4 and len(set(ids)) == 4


# --------------------------------------------------------------------------------------------
# Choices


def test_every_question_has_two_to_four_distinct_choices(bank):
    for q in bank.questions:
        assert 2 <= len(q.choices) <= 4
        assert len({choice_key(c) for c in q.choices}) == len(q.choices), q


def test_a_deck_of_two_entries_gets_two_choice_questions():
    deck = second_deck(("Image", "컨테이너 실행에 필요한 파일 묶음."), ("Volume", "데이터를 보존하는 저장소."))
    bank = build_question_bank(Notes(decks=(deck,)))
    assert bank.questions and all(len(q.choices) == 2 for q in bank.questions)


def test_a_deck_of_one_entry_gets_no_question_and_reports_it_uncovered():
    deck = second_deck(("Image", "컨테이너 실행에 필요한 파일 묶음."))
    bank = build_question_bank(Notes(decks=(deck,)))
    assert bank.questions == () and [e.term for e in bank.uncovered()] == ["Image"]


def test_distractors_come_from_the_same_section_first(bank, notes):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "Horizontal Pod Autoscaler (HPA)"))
    scaling_terms = {e.term for e in notes.entries if e.section == SCALING}
    assert set(other_choices(q)) <= scaling_terms and len(q.choices) == 4


def test_distractors_come_from_the_same_table_first(bank, notes):
    q = one(by_kind(bank, QuestionKind.TERM_TO_DEFINITION, "Envoy"))
    table_definitions = {e.definition for e in notes.entries if e.table_id == "t-projects"}
    assert set(other_choices(q)) <= {mask(d, compile_mask(["Envoy"])) for d in table_definitions}


def test_distractors_never_come_from_another_deck(notes):
    docker = second_deck(("Dockerfile", "이미지를 만드는 명령을 적은 파일."), ("Image", "컨테이너 실행에 필요한 파일 묶음."))
    bank = build_question_bank(Notes(decks=(*notes.decks, docker)))
    docker_terms = {e.term for e in docker.entries}
    for q in bank.questions:
        if q.deck == DECK:
            assert not docker_terms & set(q.choices)
        else:
            assert set(q.choices) <= docker_terms | {e.term for e in docker.entries} | \
                {e.definition for e in docker.entries}


def test_an_alias_of_the_answer_is_never_a_distractor():
    deck = second_deck(("Container Image", "컨테이너 실행에 필요한 파일 묶음."), ("Volume", "데이터를 보존하는 저장소."),
                       ("Network", "컨테이너 간 통신 경로."), ("Registry", "이미지를 보관하는 저장소 서비스."))
    synonym = entry("Image", "읽기 전용 컨테이너 템플릿.", line=40, section=("Docker",), deck=deck.name, path=deck.path,
                    aliases=("Container Image",))
    deck = Deck(name=deck.name, path=deck.path, entries=(*deck.entries, synonym))
    for seed in range(10):
        bank = build_question_bank(Notes(decks=(deck,)), seed=seed)
        q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "Container Image"))
        assert "Image" not in q.choices


def test_an_entry_with_an_identical_definition_is_never_a_distractor():
    deck = second_deck(("Image", "컨테이너 실행에 필요한 파일 묶음."), ("Container Image", "컨테이너 실행에 필요한 파일 묶음."),
                       ("Volume", "데이터를 보존하는 저장소."))
    bank = build_question_bank(Notes(decks=(deck,)))
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "Image"))
    assert "Container Image" not in q.choices


# --------------------------------------------------------------------------------------------
# term ↔ definition


def test_every_entry_with_a_definition_gets_a_definition_question(bank, notes):
    definition_kinds = {QuestionKind.TERM_TO_DEFINITION, QuestionKind.DEFINITION_TO_TERM}
    for e in notes.entries:
        if e.definition and e.shape is not EntryShape.TABLE_COLUMN:
            assert any(q.kind in definition_kinds for q in bank.for_entry(e.id)), e.term


def test_uncovered_lists_entries_without_definition_or_group(bank):
    assert [e.term for e in bank.uncovered()] == ["Elections and Voting"]


def test_definition_prompt_masks_the_term_inside_korean_words(bank):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "KEDA"))
    assert "KEDA" not in q.prompt and f"{MASK}는 HPA" in q.prompt


def test_definition_prompt_masks_the_parenthesised_acronym(bank):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "Horizontal Pod Autoscaler (HPA)"))
    assert "HPA" not in q.prompt and f"{MASK}는 CPU" in q.prompt


def test_definition_prompt_masks_an_alias(bank):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "CNCF (Cloud Native Computing Foundation)"))
    assert "CNCF" not in q.prompt


def test_term_to_definition_answer_is_the_masked_definition(bank):
    q = one(by_kind(bank, QuestionKind.TERM_TO_DEFINITION, "KEDA"))
    assert "KEDA" not in q.correct_choice and q.correct_choice.startswith("Event Driven Autoscaling을 지원하는")


def test_term_to_definition_masks_each_distractor_of_its_own_term(bank):
    q = one(by_kind(bank, QuestionKind.TERM_TO_DEFINITION, "Vertical Pod Autoscaler (VPA)"))
    assert not any("KEDA" in c or "HPA" in c for c in q.choices)


def test_long_definitions_are_shortened_in_choices(bank):
    q = one(by_kind(bank, QuestionKind.TERM_TO_DEFINITION, "Cluster Autoscaler"))
    assert len(q.correct_choice) <= 200 and q.correct_choice.endswith("…")


def test_a_short_first_sentence_is_extended_with_the_next(bank):
    q = one(by_kind(bank, QuestionKind.TERM_TO_DEFINITION, "Reactive AutoScaling"))
    assert q.correct_choice.startswith("scale according to workload. 시스템의 부하가")


def test_explanation_quotes_the_definition_and_ends_with_the_source(bank):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "Resiliency"))
    assert "시스템이 장애에 강하고" in q.explanation and q.explanation.endswith(f"`{PATH}:14`")


# --------------------------------------------------------------------------------------------
# acronym


def test_acronym_question_asks_what_hpa_stands_for(bank):
    q = one([q for q in by_kind(bank, QuestionKind.ACRONYM, "Horizontal Pod Autoscaler (HPA)")
             if q.prompt == PROMPT_EXPANSION.format(acronym="HPA")])
    assert q.correct_choice == "Horizontal Pod Autoscaler" and "Vertical Pod Autoscaler" in q.choices


def test_acronym_question_asks_which_acronym_stands_for_an_expansion(bank):
    q = one([q for q in by_kind(bank, QuestionKind.ACRONYM, "CNCF (Cloud Native Computing Foundation)")
             if q.prompt == PROMPT_ACRONYM.format(expansion="Cloud Native Computing Foundation")])
    assert q.correct_choice == "CNCF" and set(other_choices(q)) <= {"HPA", "VPA", "KEDA", "FaaS", "TOC", "MSA", "K8S"}


def test_acronym_pairs_are_found_without_a_space_before_the_parenthesis(bank):
    prompts = {q.prompt for q in by_kind(bank, QuestionKind.ACRONYM, "FaaS(Function as a Service)")}
    assert PROMPT_EXPANSION.format(acronym="FaaS") in prompts


def test_acronym_alias_without_an_expansion_gets_no_acronym_question(bank):
    assert by_kind(bank, QuestionKind.ACRONYM, "Kubernetes") == []


def test_acronym_may_skip_the_initial_of_a_compound_word(bank):
    q = one([q for q in by_kind(bank, QuestionKind.ACRONYM, "Microservices Architecture") if "stand for" in q.prompt])
    assert q.prompt == PROMPT_EXPANSION.format(acronym="MSA") and q.correct_choice == "Microservices Architecture"


def test_acronym_with_a_slash_pairs_with_its_expansion():
    deck = second_deck(("CI/CD", "코드 변경을 자동으로 빌드, 테스트, 배포하는 프로세스."),
                       ("Service Mesh", "서비스 간 통신을 관리하는 인프라 계층."))
    cicd = entry("CI/CD", deck.entries[0].definition, line=3, section=("Docker",), deck=deck.name, path=deck.path,
                 aliases=("Continuous Integration/Deployment", "지속적 통합/배포"))
    bank = build_question_bank(Notes(decks=(Deck(name=deck.name, path=deck.path,
                                                 entries=(cicd, deck.entries[1])),)))
    q = one([q for q in by_kind(bank, QuestionKind.ACRONYM, "CI/CD") if "stand for" in q.prompt])
    assert q.correct_choice == "Continuous Integration/Deployment" and "Service Mesh" in q.choices


def test_an_all_lowercase_expansion_is_shown_in_title_case():
    deck = second_deck(("Service Mesh", "서비스 간 통신을 관리하는 인프라 계층."))
    keda = entry("KEDA", "이벤트 기반 오토스케일러.", line=9, section=("Docker",), deck=deck.name, path=deck.path,
                 aliases=("kubernetes event-driven autoscaling",))
    bank = build_question_bank(Notes(decks=(Deck(name=deck.name, path=deck.path, entries=(*deck.entries, keda)),)))
    q = one([q for q in by_kind(bank, QuestionKind.ACRONYM, "KEDA") if "stand for" in q.prompt])
    assert q.correct_choice == "Kubernetes Event-Driven Autoscaling"


# --------------------------------------------------------------------------------------------
# table


def table_questions(bank, item: str, aspect: str) -> list[Question]:
    return [q for q in by_kind(bank, QuestionKind.TABLE, item) if aspect in q.prompt]


def test_comparison_table_asks_which_item_has_a_cell(bank):
    q = next(q for q in table_questions(bank, "Terraform", "사용 언어") if "선언형 (HCL)" in q.prompt)
    assert q.correct_choice == "Terraform" and sorted(q.choices) == ["Ansible", "Terraform"]


def test_comparison_table_asks_an_items_cell_among_the_same_aspect(bank):
    q = next(q for q in table_questions(bank, "Ansible", "주요 목적") if q.correct_choice.startswith("서버 설정"))
    assert other_choices(q) == ["인프라 프로비저닝 (서버, 네트워크 등 생성)"]


def test_comparison_table_skips_cells_that_overlap_another_items_cell(bank):
    assert table_questions(bank, "Terraform", "에이전트 필요 여부") == []


def test_table_cell_mentioning_its_item_is_masked(bank):
    q = next(q for q in table_questions(bank, "Terraform", "기타 특징") if q.correct_choice == "Terraform")
    assert "Terraform" not in q.prompt and f"{MASK}은 인프라" in q.prompt


def test_glossary_table_description_column_is_left_to_definition_questions(bank):
    assert table_questions(bank, "Kubernetes", "설명") == []


def test_glossary_table_extra_column_gets_item_and_cell_questions(bank):
    questions = table_questions(bank, "Prometheus", "유형")
    assert sorted(q.correct_choice for q in questions) == ["Monitoring", "Prometheus"]


def test_comparison_table_items_get_table_questions_instead_of_definition_questions(bank, notes):
    kinds = {q.kind for q in bank.for_entry(entry_named(notes, "Terraform").id)}
    assert kinds == {QuestionKind.TABLE}


def test_comparison_table_items_are_never_definition_distractors(bank):
    definitions = [c for q in by_kind(bank, QuestionKind.TERM_TO_DEFINITION) for c in q.choices]
    assert not any(c.startswith("주요 목적") for c in definitions)


def test_table_questions_point_at_the_matching_entry(bank, notes):
    q = table_questions(bank, "Prometheus", "유형")[0]
    assert q.entry_id == entry_named(notes, "Prometheus").id and q.source == PROJECTS.source


# --------------------------------------------------------------------------------------------
# group


def test_group_member_question_has_one_member_and_non_member_distractors(bank, notes):
    members = set(entry_named(notes, FEATURES).members)
    q = one([q for q in by_kind(bank, QuestionKind.GROUP, "Agility")])
    assert q.prompt == PROMPT_GROUP_MEMBER.format(group=FEATURES)
    assert q.correct_choice == "Agility" and not members & set(other_choices(q)) and len(q.choices) == 4


def test_group_not_question_has_exactly_one_non_member(bank, notes):
    members = set(entry_named(notes, FEATURES).members)
    q = one([q for q in by_kind(bank, QuestionKind.GROUP, FEATURES)])
    assert q.prompt == PROMPT_GROUP_NON_MEMBER.format(group=FEATURES)
    assert q.correct_choice not in members and set(other_choices(q)) <= members and len(q.choices) == 4


def test_group_of_two_gets_no_not_question(bank):
    assert by_kind(bank, QuestionKind.GROUP, "Cloud Native Pattern") == []


def test_group_members_without_entries_are_still_asked_and_masked_in_the_group_name(bank, notes):
    q = one(by_kind(bank, QuestionKind.GROUP, "Cloud"))
    assert "Cloud" not in q.prompt and q.entry_id == entry_named(notes, "Cloud Native Security 4요소").id


def test_group_distractors_never_contain_a_member_name(bank):
    q = one(by_kind(bank, QuestionKind.GROUP, "Containers"))
    assert not any(re.search("cloud|code|cluster|container", c, re.I) for c in other_choices(q))


# --------------------------------------------------------------------------------------------
# Look-ups and JSON


def test_get_finds_a_question_by_id(bank):
    q = bank.questions[5]
    assert bank.get(q.id) is q and bank.get("nope") is None


def test_for_entry_returns_only_that_entrys_questions(bank, notes):
    keda = entry_named(notes, "KEDA")
    assert bank.for_entry(keda.id) and all(q.entry_id == keda.id for q in bank.for_entry(keda.id))


def test_for_topic_matches_a_nested_section_heading_case_insensitively(bank):
    questions = bank.for_topic("auto scaling")
    assert questions and all("Auto Scaling" in q.section for q in questions)


def test_for_topic_matches_a_deck_name(bank):
    assert bank.for_topic(DECK.upper()) == bank.questions


def test_for_topic_none_is_everything_and_unknown_is_nothing(bank):
    assert bank.for_topic(None) == bank.questions and bank.for_topic("no such heading") == ()


def test_topics_list_the_deck_then_headings_in_deck_order(bank):
    assert bank.topics() == (DECK, "Cloud Native 아키텍쳐", "Auto Scaling", "Serverless",
                             "CNCF (Cloud Native Computing Foundation)", "Cloud Native Security 4요소")


def test_counts_by_deck_includes_decks_without_questions(notes):
    empty = second_deck(("Image", "컨테이너 실행에 필요한 파일 묶음."))
    bank = build_question_bank(Notes(decks=(*notes.decks, empty)))
    counts = bank.counts_by_deck()
    assert counts == {DECK: len(bank.questions), "docker-basics": 0}


def test_question_to_json_has_the_cli_shape(bank):
    q = one(by_kind(bank, QuestionKind.DEFINITION_TO_TERM, "KEDA"))
    data = json.loads(json.dumps(question_to_json(q), ensure_ascii=False))
    assert data == {"id": q.id, "kind": "definition_to_term", "prompt": q.prompt, "choices": list(q.choices),
                    "answer": q.answer, "explanation": q.explanation, "term": "KEDA",
                    "source": {"path": PATH, "line": 60}}


def test_questions_are_ordered_by_source_line_within_a_deck(bank):
    lines = [q.source.line for q in bank.questions]
    assert lines == sorted(lines)


# --------------------------------------------------------------------------------------------
# The real default deck (runs once the loader lands)


@pytest.fixture(scope="module")
def default_bank(request):
    pytest.importorskip("bot.engine.loader")
    return build_question_bank(request.getfixturevalue("default_notes"), seed=0)


def test_default_deck_has_every_kind_of_question(default_bank):
    # Flashcards and typed cards are review sessions' cards (bot.app.review), never bank questions.
    review_only = {QuestionKind.FLASHCARD, QuestionKind.TYPED}
    assert {q.kind for q in default_bank.questions} == set(QuestionKind) - review_only


def test_default_deck_covers_every_entry_with_a_definition(default_bank):
    uncovered = [e.term for e in default_bank.uncovered() if e.definition.strip()]
    assert uncovered == []


def test_default_deck_prompts_never_contain_their_answer(default_bank):
    for q in default_bank.questions:
        assert choice_key(q.correct_choice) not in choice_key(q.prompt), q


def test_default_deck_explanations_end_with_their_source(default_bank):
    assert all(q.explanation.endswith(f"`{q.source}`") for q in default_bank.questions)


def test_default_deck_asks_what_hpa_stands_for(default_bank):
    prompt = PROMPT_EXPANSION.format(acronym="HPA")
    q = next(q for q in default_bank.questions if q.prompt == prompt)
    assert q.correct_choice == "Horizontal Pod Autoscaler"


def test_masking_a_member_named_like_a_template_word_leaves_the_template_intact():
    section = ("Words",)
    members = ("is", "was", "be", "are")
    group = entry("verbs", "", line=1, section=section, members=members)
    deck = Deck(name=DECK, path=PATH, entries=(
        group,
        *(entry(m, f"a form of to be number {i}", line=2 + i, section=section, group="verbs")
          for i, m in enumerate(members)),
        entry("noun", "a naming word", line=9, section=("Other",)),
        entry("adjective", "a describing word", line=10, section=("Other",)),
    ))
    questions = by_kind(build_question_bank(Notes(decks=(deck,))), QuestionKind.GROUP)
    assert questions
    assert all("Which of these is" in q.prompt for q in questions)
