"""The giveaway measure (bot.engine.quality): a term → definition question whose correct option
alone shares a word or a part of the term with the term."""

from __future__ import annotations

import pytest

from bot.engine.loader import load_notes
from bot.engine.model import Notes, Question, QuestionKind, SourceRef
from bot.engine.parser import parse_note
from bot.engine.quality import gives_answer_away, giveaway_share, shares_part, term_parts
from bot.engine.questions import MASK, QuestionBank, build_question_bank
from tests.conftest import ALIASES_FILE

# Before masking (main at 8cef45c): 7.2% of the default deck's term → definition questions and
# 15.0% of the shared corpus's gave the answer away.
GIVEAWAY_CEILING = 0.02

DEVOPS = "개발(Dev)과 운영(Ops)을 통합하여, 소프트웨어 개발과 배포의 속도와 품질을 향상시키는 문화와 실천"
OTHERS = (
    "쿠버네티스 클러스터의 노드를 자동으로 추가하거나 제거하는 기능",
    "하나의 서비스를 작은 서비스 여러 개로 나누어 개발하는 방식",
    "애플리케이션과 의존성을 함께 패키징하는 기술",
)


def question(term: str, choices: tuple[str, ...], answer: int = 0,
             kind: QuestionKind = QuestionKind.TERM_TO_DEFINITION) -> Question:
    return Question(id="q", kind=kind, prompt=f"'{term}'?", choices=choices, answer=answer, explanation="",
                    term=term, deck="d", source=SourceRef("d.md", 1))


def test_term_parts_split_a_camel_case_term_into_its_pieces():
    assert term_parts("DevOps") == {"devops", "dev", "ops"}


def test_term_parts_split_a_slashed_acronym_and_leave_out_function_words():
    assert term_parts("CI/CD as a Service") == {"ci", "cd", "service"}


def test_term_parts_keep_korean_words_of_two_syllables_or_more():
    assert term_parts("서비스 메시 (Service Mesh)") == {"서비스", "메시", "service", "mesh"}


def test_a_korean_part_is_shared_through_a_particle():
    assert shares_part("서비스의 위치를 찾는다", {"서비스"})


def test_a_short_latin_part_is_not_shared_by_a_longer_word_containing_it():
    assert not shares_part("development and operations", {"dev", "ops"})


def test_a_latin_part_is_shared_as_a_camel_case_piece_of_a_word():
    assert shares_part("uses a ReplicaSet", {"set"})


def test_the_devops_definition_alone_naming_dev_and_ops_gives_the_answer_away():
    assert gives_answer_away(question("DevOps", (DEVOPS, *OTHERS)))


def test_no_giveaway_when_a_distractor_also_shares_a_part():
    shared = "개발(Dev) 팀이 직접 배포하는 방식"
    assert not gives_answer_away(question("DevOps", (DEVOPS, shared, *OTHERS[:2])))


def test_no_giveaway_when_only_a_distractor_shares_a_part():
    assert not gives_answer_away(question("DevOps", (OTHERS[0], DEVOPS, OTHERS[1]), answer=0))


def test_only_term_to_definition_questions_are_measured():
    other_kind = question("DevOps", (DEVOPS, *OTHERS), kind=QuestionKind.DEFINITION_TO_TERM)
    share = giveaway_share([question("DevOps", (DEVOPS, *OTHERS)), other_kind,
                            question("Pod", OTHERS)])
    assert (share.count, share.total) == (1, 2)


# --------------------------------------------------------------------------------------------
# The bank: parts of the term are masked, or the entry is asked the other way round

SNIPPET = """# DevOps 문화

- DevOps: 개발(Dev)과 운영(Ops)을 통합하여 소프트웨어 배포의 속도와 품질을 높이는 문화
- GitOps: Git 저장소의 선언적 설정을 기준으로 운영(Ops)을 자동화하는 방식
- API Gateway: 마이크로서비스 간의 API 요청을 받아 라우팅과 인증을 처리하는 진입점
- Service Mesh: 사이드카 프록시로 서비스 간 통신을 관리하는 인프라 계층
- Container: 애플리케이션과 의존성을 함께 묶어 어디서나 같게 실행하는 단위
"""


@pytest.fixture(scope="module")
def snippet_bank() -> QuestionBank:
    deck, _problems = parse_note(SNIPPET, "devops.md", default_name="devops")
    return build_question_bank(Notes(decks=(deck,)))


def asked(bank: QuestionBank, kind: QuestionKind, term: str) -> list[Question]:
    return [q for q in bank.questions if q.kind is kind and q.term == term]


def test_devops_answer_drops_its_dev_and_ops_glosses(snippet_bank):
    (q,) = asked(snippet_bank, QuestionKind.TERM_TO_DEFINITION, "DevOps")
    assert q.correct_choice == "개발과 운영을 통합하여 소프트웨어 배포의 속도와 품질을 높이는 문화"


def test_a_distractor_repeating_a_part_of_the_term_is_masked_too(snippet_bank):
    (q,) = asked(snippet_bank, QuestionKind.TERM_TO_DEFINITION, "DevOps")
    assert "Git 저장소의 선언적 설정을 기준으로 운영을 자동화하는 방식" in q.choices


def test_definition_to_term_prompt_does_not_name_dev_or_ops(snippet_bank):
    (q,) = asked(snippet_bank, QuestionKind.DEFINITION_TO_TERM, "DevOps")
    assert "Dev" not in q.prompt and "Ops" not in q.prompt


def test_an_answer_left_with_a_mask_is_asked_definition_to_term_instead(snippet_bank):
    # "API" inside the definition can only be masked as ____, which no other definition shows.
    assert asked(snippet_bank, QuestionKind.TERM_TO_DEFINITION, "API Gateway") == []
    (q,) = asked(snippet_bank, QuestionKind.DEFINITION_TO_TERM, "API Gateway")
    assert f"간의 {MASK} 요청" in q.prompt


def test_an_answer_sharing_no_part_keeps_its_term_to_definition_question(snippet_bank):
    (q,) = asked(snippet_bank, QuestionKind.TERM_TO_DEFINITION, "Container")
    assert q.correct_choice == "애플리케이션과 의존성을 함께 묶어 어디서나 같게 실행하는 단위"


def test_default_deck_questions_rarely_give_the_answer_away(default_notes):
    assert giveaway_share(build_question_bank(default_notes).questions).ratio <= GIVEAWAY_CEILING


def test_shared_corpus_questions_rarely_give_the_answer_away(shared_corpus):
    notes = load_notes(shared_corpus, aliases_file=ALIASES_FILE)
    assert giveaway_share(build_question_bank(notes).questions).ratio <= GIVEAWAY_CEILING
