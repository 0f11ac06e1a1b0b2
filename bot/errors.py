"""Expected errors of the study service, raised with data rather than prose.

Every front end turns these into a friendly message in the user's language; the `code` names
the situation and `params` carry what the message needs (the query, the topic, ...).
"""

from __future__ import annotations

from typing import Any


class StudyError(Exception):
    """An expected failure a user can act on; never a bug."""

    code = "study_error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.code}: {params}" if params else self.code)


class NothingFound(StudyError):
    """A lookup found nothing; `params["suggestions"]` holds "did you mean" terms."""

    code = "nothing_found"


class UnknownTopic(StudyError):
    """A quiz topic that is neither a deck nor a section; `params["suggestions"]` lists close ones."""

    code = "unknown_topic"


class NoQuestions(StudyError):
    """The notes (or the chosen topic) produce no questions."""

    code = "no_questions"


class QuestionGone(StudyError):
    """A question or post id that no longer exists, e.g. after the notes changed."""

    code = "question_gone"


class NotYourQuestion(StudyError):
    """Someone clicked another member's personal practice question."""

    code = "not_your_question"


class AlreadyAnswered(StudyError):
    """The first answer is final; `params["choice"]` is the index chosen then."""

    code = "already_answered"


class AnswersClosed(StudyError):
    """The post was revealed or closed; no more answers."""

    code = "answers_closed"


class NothingToReview(StudyError):
    """Nothing is due and every entry has been studied; `params["next_due"]` is the next due
    time and `params["wait"]` the seconds until then (both None when nothing is scheduled)."""

    code = "nothing_to_review"


class TypedAnswerRefused(StudyError):
    """A typed answer that cannot be judged; nothing is stored (see the two kinds below)."""


class TypedAnswerEmpty(TypedAnswerRefused):
    """Nothing but spaces, emoji or invisible characters."""

    code = "typed_empty"


class TypedAnswerTooLong(TypedAnswerRefused):
    """Longer than `params["limit"]` characters."""

    code = "typed_too_long"


class InvalidChoice(StudyError):
    """A choice index outside the question's options."""

    code = "invalid_choice"


class StoreUnavailable(StudyError):
    """The database server cannot be reached right now (PostgreSQL stopped, restarting, or the
    network gone). Nothing of the request was stored; the member may simply try again."""

    code = "store_unavailable"
