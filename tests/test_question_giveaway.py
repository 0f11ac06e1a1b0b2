"""The giveaway measure (bot.engine.quality): a term → definition question whose correct option
alone shares a word or a part of the term with the term."""

from __future__ import annotations

from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.quality import gives_answer_away, giveaway_share, shares_part, term_parts

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
