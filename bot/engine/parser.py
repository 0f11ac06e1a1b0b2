"""Markdown study notes → a deck of glossary entries and study tables.

The note is tokenised by markdown-it-py (CommonMark plus tables) and the token stream is folded
into a small block tree (headings, paragraphs, nested lists, tables) that keeps 1-based source
lines. The tree is then read for the shapes people write glossaries in:

* list items that open with a term and a separator (`- **Term**: …`, `1. \\`Term\\` - …`,
  `- Term — …`, `**Term(Expansion)**란 …`), with nested items either extending the definition or
  forming the members of a group entry;
* headings that name a term, defined by the paragraphs right under them (`## OCI (…)`,
  `### What is X?`, `## X란?`), or that list plain members (`## Cloud Native Security 4요소`);
* two-column and wider glossary tables (one row per term) and comparison tables (aspects down the
  first column, one item per other column);
* paragraphs: `**Term.** Definition` (one per line too), `Term` + `: definition`, `Term : definition`
  lines (also `->`, `=>`, `--`, `=`, `:=`, `–`, `：`), `X이란 …` / `X is …` / `X는 …을 말한다`
  sentences, `**X**은 …` clauses, and `Q.`/`A.`, `Q:`/`A:`, `question :: answer` pairs and
  question | answer tables (the question's subject, or an answer that names a thing);
* Obsidian callouts (`> [!note] Title` + body) and acronyms or English names glossed anywhere in
  running text (`CKA (Certified …)`, `최소 권한 원칙(Least Privilege)`).

Each entry records the rule that made it (`Entry.rule`); rules that read a definition out of
prose or take a bare heading make unsure entries (`model.UNSURE_RULES`). Commands, flags, file
names, labels, section headings, exam logistics and fragments are rejected in every shape.
A front-matter `glossary:` block (exclude, include, aliases, quiz_unsure) corrects the result.

Anything inside code blocks, HTML, images, Obsidian embeds and tags is ignored. The parser is
pure and never raises for any input: odd content becomes `Problem`s.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import table as _gfm_table
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from bot.engine.aliases import acronym_matches, apply_curated_aliases, loose_key, merge_names, split_term
from bot.engine.frontmatter import GlossaryBlock, read_glossary_block, split_front_matter
from bot.engine.model import UNSURE_RULES, Deck, Entry, EntryShape, Problem, Severity, SourceRef, StudyTable, stable_id
from bot.engine.hangul import has_final_consonant, has_syllable, is_syllable

# --------------------------------------------------------------------------------------------
# Vocabulary used by the heuristics. Everything is compared case-folded.

_FIELD_LABELS = frozenset(
    """
    format mode benefits benefit example examples note notes tip tips purpose source sources
    reference references summary result results reason goal goals duration level time key answer
    question definition pros cons advantages disadvantages website spec docs documentation link
    links category status author created updated date description overview introduction details
    usage features why how what warning caution important conclusion output input command
    commands syntax step steps prerequisites requirements resources highlights takeaway
    takeaways tl;dr todo example: mission vision stack roles
    출처 참고 예시 예 예제 요약 정리 설명 목적 이유 장점 단점 특징 용도 방법 결론 핵심 주의 주의사항 비고 결과
    원인 해결 해결책 문제 정답 해설 풀이 오답 포인트 난이도 시간 목표 도메인 형식 개요 배경 정의 의미 기능 역할 종류 유형 구성 구조
    차이 차이점 비교 팁 중요 내용 답 질문 명령어 사용법 사례 링크 참조 자료 출제 비중 범위 날짜 작성자 경우 원리
    """.split()
) | frozenset(
    {
        "use case", "use cases", "key points", "key point", "see also", "further reading",
        "exam tip", "key takeaways", "참고 자료", "예상 소요 시간", "시험 포인트", "기억 포인트",
        "학습 목표", "시험 도메인", "사용 이유", "사용 사례", "주요 특징", "주요 기능", "exam details",
        "key features", "key concepts", "key terms",
    }
)

# Headings ending in these words name a section ("Cloud Native 실천 방식"), not a term.
_SECTION_WORDS = frozenset(
    """
    방식 특징 요소 종류 유형 개요 정리 구조 비교 목표 장점 단점 차이 차이점 예시 예제 참고 요약 배경 사례
    방법 과정 원칙 개념 소개 후기 팁 명령어 흐름 아웃풋 단계 요구사항 실습 문제 정답 해설 목록 가지 전략 경우 원리 활용
    예고 필요성 입장 다음주 내일 통합 아키텍처 integration 기본 기초 stuff things
    flashcards guide cheatsheet
    overview summary introduction references resources notes details examples types characteristics
    benefits challenges practices concepts principles goals tips highlights misconceptions basics
    comparison study exam reading links takeaways recap agenda contents toc faq questions answers
    """.split()
)
_SECTION_LEADS = frozenset(
    "benefits challenges key types characteristics misconceptions overview introduction how why "
    "when where which other more further additional common quick highlights resources essential basics "
    "fundamentals history".split()
)
_ASPECT_HEADERS = frozenset(
    "항목 기준 구분 비교 특징 기능 차이 차이점 feature features aspect aspects criteria criterion "
    "category property properties dimension attribute point 비교항목 항목명 비교 항목 vs".split()
) | {"", "비교 항목", "비교 기준"}
_DESCRIPTION_HEADERS = (
    "설명", "역할", "의미", "정의", "용도", "내용", "답", "기능", "description", "purpose", "meaning",
    "definition", "role", "answer", "summary", "usage", "what it does", "explanation", "details",
)
_EXAMPLE_HEADERS = frozenset({"예시", "예", "예제", "사례", "example", "examples", "e.g.", "eg", "sample", "samples", "usage example"})
_ALIAS_HEADERS = (
    "full name", "full form", "name", "풀네임", "전체 이름", "약어", "약자", "acronym", "expansion",
    "영문", "영어", "english", "한글", "stands for", "원어",
)
# An English term ending in one of these is a pointer to material, not a term ("Official Documentation").
_RESOURCE_WORDS = frozenset(
    "documentation docs website link links reference references resources source sources example "
    "examples tip tips note notes".split()
)
# Words a question's subject never contains when it names a term ("key features of Prometheus").
_QUESTION_NOISE = frozenset(
    "of with without about for between called used true false main primary key common typical its "
    "their two three four difference differences".split()
)
_LEADING_WORDS = frozenset(
    "and or but so if when because this that it there these those which what how why where who "
    "we you i they he she each all every for to in on of with by from as also then however "
    "its their our your my some most many any".split()
)
_VERBS = re.compile(
    r"\b(?:is|are|was|were|can|could|will|would|should|must|does|do|did|has|have|had|been|being|"
    r"makes|allows|provides|uses|helps|means|refers)\b",
    re.IGNORECASE,
)
_KO_ENDINGS = ("다", "요", "함", "됨", "음", "니다", "죠", "까")
_KO_PARTICLE_ENDINGS = ("은", "는", "을", "를", "에서", "으로", "에게", "하는", "되는", "하고", "이고")
_PLACEHOLDERS = frozenset(
    {"", "-", "--", "—", "...", "…", "?", "tbd", "todo", "tba", "n/a", "작성 중", "작성중", "미정", "생략", "."}
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_OBSIDIAN_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]")
_WIKI_LINK = re.compile(r"\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_HASHTAG = re.compile(r"(?<!\S)#(?=[^\s#\d])[^\s#]+")
_KRAMDOWN_ATTR = re.compile(r"\{:[^}\n]*\}")
_HIGHLIGHT = re.compile(r"==(?=\S)([^=\n]+?)(?<=\S)==")
_NUMBERING = re.compile(
    r"^(?:(?:section|part|step|chapter|day|lesson)\s*\d+\s*[:.)-]?\s*|\d+(?:\.\d+)*[.)]\s*(?=\D)|\d+(?:\.\d+)*\s+|[①-⑳]\s*|[IVX]+\.\s+)",
    re.IGNORECASE,
)
_EDGE_JUNK = re.compile(r"^[^\w(\[`'\"]+|[^\w)\]`'\"?+#]+$")
_PLAIN_SEPARATOR = re.compile(
    r"^(?P<term>[^:：\n]{1,80}?)(?P<sep>\s*(?::=|[:：](?!//)|\s(?:->|=>|-->|--|→|=|[-–—])\s))\s*(?P<rest>.*)$", re.DOTALL
)
_ARROW = re.compile(r"->|=>|→")
_LEAD_SEPARATOR = re.compile(r"^\s*(?::=|[:：]|->|=>|-->|--|→|[-–—=](?!>))\s*")
# `volumeBindingMode: WaitForFirstConsumer = …`: a field name, then the value the line explains.
_FIELD_NAME = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$|^[a-z]+(?:_[a-z0-9]+)+$")
_VALUE_LEAD = re.compile(r"^(?P<value>[A-Za-z][\w.-]*)\s*(?::=|=|->|=>|→|[:：]|\s[-–—])\s*(?P<rest>\S.*)$", re.DOTALL)
_LEADING_NOTE = re.compile(r"^\((?:참고|note|주의|ex|예)\)\s*", re.IGNORECASE)
_PERCENT_START = re.compile(r"^\(?\s*[\d.,]+\s*%")
_PAREN_LEAD = re.compile(r"^\((?P<inner>[^()\n]{1,80})\)\s*[:：]\s*")
_KO_DEFINE = re.compile(r"^(?P<x>[^\n.?!]{1,50}?)(?P<marker>이란|란)(?:\s*\?)?(?:\s+|$)(?P<rest>.*)$", re.DOTALL)
_EN_DEFINE = re.compile(
    r"^(?:an?\s+)?(?P<x>[^\s,.;:][^,.;:\n]{0,50}?)\s+(?:is|are)\s+(?P<rest>(?:an?|the|one|any|used|what|when|where|how|\w+ed)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)
_EN_QUESTION = (
    re.compile(r"^(?:what|who)\s+(?:is|are|was)\s+(?:an?\s+)?(?P<x>.+?)(?:\s+in\s+[^?]+)?\s*\?*$", re.IGNORECASE),
    re.compile(r"^what\s+does\s+(?P<x>.+?)\s+(?:stand\s+for|mean)(?:\s+in\s+[^?]+)?\s*\?*$", re.IGNORECASE),
    re.compile(r"^(?:define|explain)\s*:?\s+(?P<x>.+?)[.?]*$", re.IGNORECASE),
)
_KO_QUESTION = (
    re.compile(r"^(?P<x>.+?)\s*(?:이란|란)\s*(?:무엇인가요|무엇인가|무엇일까요|무엇일까|무엇입니까|뭔가요|뭘까|뭐야|무엇)?\s*\?*$"),
    re.compile(r"^(?P<x>.+?)(?:은|는|이|가)\s+(?:무엇인가요|무엇인가|무엇일까요|무엇일까|무엇입니까|뭔가요|뭘까|뭐야|무엇)\s*\?*$"),
)
_QA_QUESTION = re.compile(r"^(?:\*\*)?Q\s*\d*\s*[.:)]\s*(?:\*\*)?\s*(?P<q>.+)$", re.IGNORECASE | re.DOTALL)
_QA_ANSWER = re.compile(r"^(?:\*\*)?A\s*\d*\s*[.:)]\s*(?:\*\*)?\s*(?P<a>.*)$", re.IGNORECASE | re.DOTALL)
_FLASHCARD = re.compile(r"^(?P<q>[^\n]+?\?)\s*:{2,}\s*(?P<a>.+)$")
_TABLE_LIKE = re.compile(r"^\s*\|.*\|")
_CHECKBOX = re.compile(r"^\s*\[[ xX]\]\s")
_TOC_PLACEHOLDER = re.compile(r"^(?:(?:un)?ordered\s+)?(?:toc|table of contents|목차)$", re.IGNORECASE)

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_SKIPPABLE = re.compile(r"^\s*(?:<img\b[^>]*>\s*|<!--.*?-->\s*|<br\s*/?>\s*)+$", re.IGNORECASE | re.DOTALL)
_NUMBER_WORD = re.compile(r"^\d+\s+\w+$")
_LETTER = re.compile(r"[A-Za-z\uac00-\ud7a3]")
_LOWER_START = re.compile(r"[a-z]")
_OPTION_FLAG = re.compile(r"(?:^|\s)--?[A-Za-z]")
_VS_WORD = re.compile(r"\bvs\.?(?:\s|$)", re.IGNORECASE)
_KO_PARTICLE_WORD = re.compile(r"[\uac00-\ud7a3](?:는|을|를|에서)$")
_ABBREVIATION_END = re.compile(r"\b(?:e\.g|i\.e|etc|inc|js)\.$", re.IGNORECASE)
_DEFINITION_CHAR = re.compile(r"[a-z\uac00-\ud7a3\d]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。])\s+")
_LEADING_PAREN = re.compile(r"^\s*(\([^()\n]{1,60}\))")
_LEADING_DASH = re.compile(r"^[-–—]\s+")
_DEFINE_MARKER = re.compile(r"^(?:이란|란)\s*\??\s*")
_CELL_PIPE = re.compile(r"(?<!\\)\|")

# Commands, Dockerfile instructions with arguments, file names and paths are not terms.
_COMMAND_WORDS = frozenset(
    "kubectl docker podman helm git tar apt apt-get yum dnf npm pip curl wget ls cd cat sudo systemctl minikube "
    "kind kubeadm crictl ctr nerdctl terraform ansible-playbook make echo export mkdir rm cp mv chmod ssh vi vim "
    "journalctl watch grep kill FROM RUN CMD ENTRYPOINT COPY ADD ENV ARG EXPOSE WORKDIR USER VOLUME LABEL".split()
)
_FILE_OR_PATH = re.compile(
    r"^[\w.-]+\.(?:json|ya?ml|tar|gz|tgz|zip|md|txt|sh|py|go|js|ts|conf|cfg|ini|toml|xml|log|lock|pem|crt|key)$|"
    r"(?:^|\s)(?:~?/|\./)\S|\w/$|(?:^|\s)[a-z][a-z0-9-]*/[a-z][a-z0-9-]*(?:\s|$)"
)
_SHELL_WORDS = frozenset({"exit", "pwd", "ls", "cd", "clear", "whoami"})
_SUBTITLE = re.compile(r"\s*(?:\(\d{4}s?\))?\s+[—–]\s+(?:The\s+)?[A-Z][^:]*:?\s*$")
_RAW_FLAG = re.compile(r"^[`*_\s]*--?[A-Za-z]")
_RAW_FOLDER = re.compile(r"\w/[`*_\s:]*$")

# Two things joined by "and" name a section or a feature pair, not one term (an acronym's
# expansion such as "Kubernetes and Cloud Native Associate" comes with its alias and stays).
_COMPOUND_HINT = re.compile(r" and |&| 및 |와 |과 ")
_COMPOUND = re.compile(r"\S\s+(?:and|&|및)\s+\S|[\uac00-\ud7a3](?:와|과)\s+\S|\S\s+(?:와|과)\s+\S")
# Korean descriptive phrases: an adnominal first word ("향상된 보안", "대표적인 …") or a head noun
# naming a change or a quality ("안정성 향상", "기능 부족", "입문 수준") label a benefit, not a thing.
_KO_ADNOMINAL_FIRST = re.compile(r"^[\uac00-\ud7a3]+(?:적인|된|운|던|적으로|으로는|에서는)\s")
_KO_QUALITY_HEADS = frozenset(
    "향상 증가 감소 한계 부족 부재 지원 연동 효율성 안정성 용이성 수준 중심 성격 개선 강화 절감 간소화 제한 필요성 입장 예고 경우".split()
)
_KO_QUALIFIER_FIRST = frozenset("공식 최근 주요 기타 추가 다양한".split())
_KO_POSSESSIVE_HEAD = re.compile(r"의\s+(?:" + "|".join(sorted(_KO_QUALITY_HEADS)) + r")$")
# Headings opening with one of these gerunds name an activity ("Managing Running Containers").
# Headings opening with an imperative are instructions ("Install the CLI", "Run a container").
_IMPERATIVE_LEADS = frozenset(
    "install run create use deploy configure add check write try learn understand explore start stop remove "
    "upgrade debug inspect enable apply connect expose let".split()
)
_ACTIVITY_GERUNDS = frozenset(
    "managing creating building running using installing deploying configuring setting getting understanding "
    "working exploring writing learning introducing troubleshooting securing preparing testing inspecting "
    "starting stopping removing cleaning".split()
)

_LOGISTICS_LEADS = frozenset("exam discount voucher coupon booking registration retake 시험 응시 할인".split())

_MAX_TERM_CHARS = 60
_MAX_TERM_WORDS = 6
_MAX_DEFINITION_CHARS = 2000


# --------------------------------------------------------------------------------------------
# Inline text with the positions of bold and code spans.


@dataclass(slots=True)
class Rich:
    """Inline text of one block: plain text (lines joined by newlines), marked spans, first line."""

    text: str
    marks: list[tuple[int, int, str]]
    line: int

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _rich(token: Token | None, line: int) -> Rich:
    parts: list[str] = []
    marks: list[tuple[int, int, str]] = []
    opened: list[int] = []
    opened_links: list[int] = []
    length = 0
    skip_depth = 0
    for child in (token.children or []) if token is not None else []:
        kind = child.type
        if kind == "image":
            continue
        if skip_depth:
            continue
        piece = ""
        if kind == "text":
            piece = child.content
        elif kind in ("softbreak", "hardbreak"):
            piece = "\n"
        elif kind == "code_inline":
            marks.append((length, length + len(child.content), "code"))
            piece = child.content
        elif kind == "strong_open":
            opened.append(length)
        elif kind == "strong_close" and opened:
            marks.append((opened.pop(), length, "strong"))
        elif kind == "link_open":
            opened_links.append(length)
        elif kind == "link_close" and opened_links:
            marks.append((opened_links.pop(), length, "link"))
        elif kind == "html_inline" and _BR.match(child.content):
            piece = " "
        if piece:
            parts.append(piece)
            length += len(piece)
    return Rich("".join(parts), marks, line)


def _rich_lines(rich: Rich) -> list[Rich]:
    """One Rich per line of a paragraph, marks cut to the line and shifted to its start."""
    rows = []
    start = 0
    for offset, line_text in enumerate(rich.text.split("\n")):
        end = start + len(line_text)
        marks = [(max(a, start) - start, min(b, end) - start, kind) for a, b, kind in rich.marks if a < end and b > start]
        rows.append(Rich(line_text, marks, rich.line + offset))
        start = end + 1
    return rows


def _clean(text: str) -> str:
    """Plain display text: embeds, wiki-link brackets, tags and kramdown attributes removed."""
    if "[[" in text:
        text = _OBSIDIAN_EMBED.sub("", text)
        text = _WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    if "#" in text:
        text = _HASHTAG.sub("", text)
    if "{:" in text:
        text = _KRAMDOWN_ATTR.sub("", text)
    if "==" in text:
        text = _HIGHLIGHT.sub(r"\1", text)  # Obsidian `==highlight==`
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# Block tree.


@dataclass(slots=True)
class _Heading:
    level: int
    rich: Rich


@dataclass(slots=True)
class _Para:
    rich: Rich


@dataclass(slots=True)
class _Item:
    line: int
    blocks: list[_Block] = field(default_factory=list)
    ordered: bool = False


@dataclass(slots=True)
class _List:
    line: int
    items: list[_Item] = field(default_factory=list)


@dataclass(slots=True)
class _Table:
    line: int
    header: list[Rich]
    rows: list[list[Rich]]
    row_lines: list[int]


@dataclass(slots=True)
class _Quote:
    blocks: list[_Block]


@dataclass(slots=True)
class _Break:
    line: int


@dataclass(slots=True)
class _Opaque:
    """A code block or HTML block: never read for terms, but it ends a heading's lead text."""

    line: int


_Block = _Heading | _Para | _List | _Table | _Quote | _Break | _Opaque


class _TreeBuilder:
    """Folds markdown-it's flat token stream into nested blocks, tracking source lines."""

    def __init__(self, tokens: Sequence[Token], line_offset: int) -> None:
        self.tokens = tokens
        self.offset = line_offset
        self.position = 0

    def line_of(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + self.offset + 1

    def blocks(self, closing: str | None = None) -> list[_Block]:
        found: list[_Block] = []
        tokens = self.tokens
        while self.position < len(tokens):
            token = tokens[self.position]
            kind = token.type
            if closing is not None and kind == closing:
                self.position += 1
                return found
            self.position += 1
            if kind == "heading_open":
                inline = self._inline()
                found.append(_Heading(int(token.tag[1:]) if token.tag[1:].isdigit() else 6, _rich(inline, self.line_of(token))))
                self._skip_to("heading_close")
            elif kind == "paragraph_open":
                inline = self._inline()
                found.append(_Para(_rich(inline, self.line_of(token))))
                self._skip_to("paragraph_close")
            elif kind in ("bullet_list_open", "ordered_list_open"):
                found.append(self._list(token, kind.replace("_open", "_close")))
            elif kind == "blockquote_open":
                found.append(_Quote(self.blocks("blockquote_close")))
            elif kind == "table_open":
                found.append(self._table(token))
            elif kind == "hr":
                found.append(_Break(self.line_of(token)))
            elif kind in ("fence", "code_block", "html_block"):
                # An image or a comment between a heading and its explanation does not end the explanation.
                if not (kind == "html_block" and _HTML_SKIPPABLE.match(token.content)):
                    found.append(_Opaque(self.line_of(token)))
        return found

    def _inline(self) -> Token | None:
        if self.position < len(self.tokens) and self.tokens[self.position].type == "inline":
            self.position += 1
            return self.tokens[self.position - 1]
        return None

    def _skip_to(self, kind: str) -> None:
        while self.position < len(self.tokens):
            self.position += 1
            if self.tokens[self.position - 1].type == kind:
                return

    def _list(self, opening: Token, closing: str) -> _List:
        block = _List(self.line_of(opening))
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.type == closing:
                break
            if token.type == "list_item_open":
                block.items.append(_Item(self.line_of(token), self.blocks("list_item_close"), closing.startswith("ordered")))
        return block

    def _table(self, opening: Token) -> _Table:
        header: list[Rich] = []
        rows: list[list[Rich]] = []
        row_lines: list[int] = []
        current: list[Rich] | None = None
        in_head = False
        row_line = self.line_of(opening)
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            kind = token.type
            if kind == "table_close":
                break
            if kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open":
                current = []
                row_line = self.line_of(token)
            elif kind == "tr_close" and current is not None:
                if in_head:
                    header = current
                else:
                    rows.append(current)
                    row_lines.append(row_line)
                current = None
            elif kind == "inline" and current is not None:
                current.append(_rich(token, row_line))
        return _Table(self.line_of(opening), header, rows, row_lines)


@dataclass(slots=True)
class _Callout:
    """An Obsidian callout `> [!note] Title` with its body blocks (the title's own line removed)."""

    title: str
    line: int
    blocks: list[_Block]


_CALLOUT = re.compile(r"^\[!(?P<kind>[\w-]+)\][+-]?[ \t]*(?P<title>[^\n]*)")


def _flatten_quotes(blocks: list[_Block]) -> Iterator[_Block | _Callout]:
    """Blocks with quotes opened up; a quote that is a callout comes as one `_Callout`."""
    for block in blocks:
        if not isinstance(block, _Quote):
            yield block
            continue
        first = block.blocks[0] if block.blocks else None
        match = _CALLOUT.match(first.rich.text) if isinstance(first, _Para) else None
        if match is None or first is None or not isinstance(first, _Para):
            yield from _flatten_quotes(block.blocks)
            continue
        rows = _rich_lines(first.rich)
        body: list[_Block] = []
        if len(rows) > 1:
            rest = rows[1:]
            shift = len(first.rich.text) - len("\n".join(r.text for r in rest))
            marks = [(a - shift, b - shift, kind) for a, b, kind in first.rich.marks if a >= shift]
            body.append(_Para(Rich("\n".join(r.text for r in rest), marks, rest[0].line)))
        for inner in _flatten_quotes(block.blocks[1:]):
            body.extend(inner.blocks if isinstance(inner, _Callout) else [inner])  # a callout nested in a callout is read as text
        yield _Callout(_clean(match["title"]), first.rich.line, body)


# --------------------------------------------------------------------------------------------
# Term and definition tests.


def _strip_edges(text: str) -> str:
    text = _EDGE_JUNK.sub("", text.strip())
    return text.strip()


def _normalise_term(raw: str) -> str:
    text = _clean(raw)
    text = _LEADING_NOTE.sub("", text)
    text = _NUMBERING.sub("", text, count=1) if _NUMBERING.match(text) and not _NUMBER_WORD.match(text) else text
    text = _strip_edges(text).strip("`'\"*_ ")
    return text.rstrip(":：").strip()


def _is_label(term: str) -> bool:
    folded = term.casefold().rstrip(":： ")
    if folded in _FIELD_LABELS:
        return True
    words = folded.split()
    return len(words) == 2 and has_syllable(folded) and words[-1] in _FIELD_LABELS


def looks_like_term(term: str, *, allow_label: bool = False) -> bool:
    """A short noun phrase: no sentence ending, no URL, not a field label, not a number."""
    return _split_if_term(term, allow_label) is not None


@functools.lru_cache(maxsize=16384)  # pure, and asked about the same names again and again
def _split_if_term(term: str, allow_label: bool) -> tuple[str, tuple[str, ...]] | None:
    """`split_term(term)` when `looks_like_term(term)`, else None: callers needing both split once."""
    if not term or len(term) > _MAX_TERM_CHARS or "\n" in term:
        return None
    if not _LETTER.search(term) or _URL.search(term) or "://" in term:
        return None
    split = split_term(term)
    bare = split[0]
    words = bare.split()
    if not words or len(words) > _MAX_TERM_WORDS or len(bare) < 2:
        return None
    if "<" in bare or ">" in bare or _OPTION_FLAG.search(bare) or _VS_WORD.search(bare):
        return None
    if (len(words) >= 2 and words[0] in _COMMAND_WORDS) or (("." in bare or "/" in bare) and _FILE_OR_PATH.search(bare)) or bare in _SHELL_WORDS:
        return None
    if len(words) >= 2 and not allow_label and has_syllable(bare) and (
        _KO_ADNOMINAL_FIRST.match(bare) or words[-1] in _KO_QUALITY_HEADS or words[0] in _KO_QUALIFIER_FIRST
        or _KO_POSSESSIVE_HEAD.search(bare)
    ):
        return None
    if len(words) >= 3 and any(
        _KO_PARTICLE_WORD.search(w) for w in words[:-1]
    ):
        return None
    if term.count(",") > 1 or ";" in term or term.count("  ") > 0:
        return None
    last = bare.rstrip(")]\"'`")
    if last.endswith((".", "!", "?", "。", "…")) and not _ABBREVIATION_END.search(last):
        return None
    last_word = words[-1]
    if is_syllable(last_word[-1:]) and (
        last_word.endswith(_KO_ENDINGS) or (len(last_word) > 1 and last_word.endswith(_KO_PARTICLE_ENDINGS))
    ):
        return None
    if len(words) >= 3 and words[0].casefold() in _LEADING_WORDS:
        return None
    if len(words) >= 3 and _VERBS.search(bare):
        return None
    if not allow_label and (_is_label(bare) or (len(words) >= 2 and words[-1].casefold() in _RESOURCE_WORDS)):
        return None
    if len(words) >= 2 and words[0].casefold() in _LOGISTICS_LEADS:
        return None  # "Exam Booking", "Discount Code", "시험 일정": exam logistics
    if len(words) >= 4 and words[0].casefold().endswith("ing") and words[0][:1].isupper():
        return None  # "Aligning with cloud-native practices ensures applications": half a sentence
    return split


_KO_SENTENCE_LEAD = re.compile(r"[\uac00-\ud7a3](?:니다|다|요)\s*[:：]\s*$")
_RESOURCE_LABEL = re.compile(r"(?:리소스|자료|링크|참고\s*자료|resources|links|references|reading|further\s+study)\s*[:：]\s*$", re.IGNORECASE)
_HEADING_SENTENCE = re.compile(r"^(?P<x>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,2})\s+(?:is|are|provides?|refers\s+to|means)\s+\S.*[.]?$")
_HEADING_REMARKS = (
    re.compile(r"\s+[-–—]\s+[^()]*!+$"),  # "회수 정책 (Reclaim Policy) - 시험 빈출!"
    re.compile(r"\s*\([^()]*!+\)$"),  # "(시험 빈출!)"
    re.compile(r"\s+\S+!+$"),  # "Ingress Controller 필수!"
)
# A Korean description ending in the name it describes: "…을 보완해주는 Deployment".
_DESCRIBED_NAME = re.compile(
    r"^(?=.*[\uac00-\ud7a3](?:는|은|한|된|인)\s+[A-Za-z])[^A-Za-z]*?(?:\S+\s+)*?\S*[\uac00-\ud7a3](?:는|은|한|된|인)\s+"
    r"(?P<name>[A-Za-z][\w-]*(?:\s+[A-Z][\w-]*)?)$"
)


def _strip_heading_remarks(text: str) -> str:
    """A heading without the exclamations people tag it with ("시험 빈출!", "필수!")."""
    previous = None
    while previous != text and "!" in text:
        previous = text
        for pattern in _HEADING_REMARKS:
            text = pattern.sub("", text).rstrip()
    return text


def _is_lead_in(text: str) -> bool:
    return text.rstrip().endswith((":", "：", " -", "—"))


def _valid_definition(text: str) -> bool:
    stripped = text.strip().strip("()[]").strip().casefold()
    if stripped in _PLACEHOLDERS or _PERCENT_START.match(stripped):
        return False
    remainder = _URL.sub("", stripped).strip()
    if remainder.endswith(("?", ":", "：")):
        return False
    first = _DEFINITION_CHAR.search(remainder)
    return first is not None and _DEFINITION_CHAR.search(remainder, first.end()) is not None


def _question_term(question: str) -> str | None:
    """`What is X?`, `X란?`, `X이란 무엇인가?`, `What does X stand for?` → X; otherwise None."""
    text = _normalise_term(question.strip())
    text = text.strip("*").strip()
    for pattern in _EN_QUESTION:
        match = pattern.match(text)
        if match:
            candidate = _normalise_term(match["x"])
            words = candidate.casefold().split()
            if not words or words[0] in ("the", "a", "an") or any(w in _QUESTION_NOISE for w in words):
                return None
            if "’" in candidate or "'s" in candidate or "s'" in candidate:
                return None
            return candidate if looks_like_term(candidate) else None
    if has_syllable(text):
        for pattern in _KO_QUESTION:
            match = pattern.match(text)
            if match:
                candidate = _normalise_term(match["x"])
                return candidate if looks_like_term(candidate) else None
    return None


# ---- questions and answers

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_QUESTION_LEAD = re.compile(
    r"^(?:in [^,]{1,40},\s*)?(?:what|who)(?:['’]s|\s+(?:is|are|was|were))\s+(?:in\s+(?:an?\s+|the\s+)?)?(?P<rest>.+)$", re.IGNORECASE
)
# "Who was the original developer …?", "When did …?": the answer is a fact, not a defined term.
_FACT_QUESTION = re.compile(r"^\W*(?:\d+\.\s*)?(?:who|when|where|how\s+(?:long|many|much|often))\b", re.IGNORECASE)
_NEGATED_QUESTION = re.compile(r"\bNOT\b|\bnot one of\b|\bis false\b|\bincorrect\b|\bexcept\b")
_QUESTION_REFERS = re.compile(r"^(?P<x>[^?]+?)\s+(?:refers\s+to|means|stands\s+for|is\s+called)\s*$", re.IGNORECASE)
_QUESTION_CONTRAST = re.compile(
    r"^how\s+(?:does|do|is|are)\s+(?P<x>.+?)\s+(?:differ\s+from|compare\s+(?:to|with)|different\s+from)\s+(?P<y>.+?)(?:\s+in\s+.+)?$",
    re.IGNORECASE,
)
# "How were monolithic apps traditionally installed?": the subject of a passive question.
_QUESTION_PASSIVE = re.compile(r"^how\s+(?:is|are|was|were)\s+(?P<x>.+?)\s+(?:\w+ly\s+)?\w+ed\b.*$", re.IGNORECASE)
_QUESTION_DOES = re.compile(
    r"^(?:what|how|what\s+(?:role|part))\s+(?:does|do|did)\s+(?P<x>.+?)\s+(?:do|play|mean|stand\s+for|involve|provide|focus\s+on|refer\s+to|"
    r"work|benefit|ensure|improve|optimize|relate|differ|manifest|compare|help|affect|handle|support|enable|"
    r"interact|achieve|offer|gain)\b.*$",
    re.IGNORECASE,
)
_SUBJECT_LEAD = re.compile(
    r"^(?:(?:the|an?)\s+)?(?:(?:primary|main|key|core|traditional|official|historical|two|three|four|five)\s+)*"
    r"(?:function|purpose|role|focus|origins?|benefits?|significance|relationship|differences?|advantages?|"
    r"features?|challenges?|goals?|idea|definition|meaning|use|risks?|drawbacks?|limitations?|workflow|process|"
    r"stages|steps|lifecycle|parts|components|"
    r"responsibilit(?:y|ies))\s+(?:of|between|for)\s+|^(?:true|unique|special)\s+about\s+",
    re.IGNORECASE,
)
_SUBJECT_TAIL = re.compile(
    r"\s+(?:in|for|within|on|like|compared|versus|vs|when|during|across|with|to|from|at|by|that|which)\s+.*$|"
    r"\s+and\s+(?:its|their|how|why|what)\b.*$|\s+(?:used|called|needed|required|made)\b.*$|\s*:.*$",
    re.IGNORECASE,
)
_YEAR_REMARK = re.compile(r"\s*\((?:[^()]*\d{4}s?[^()]*)\)")
_POSSESSIVE = re.compile(r"^(?P<owner>.+?)(?:['’]s|s['’])\s+(?P<rest>(?!of\b).+)$")
_PLATFORM_QUALIFIER = re.compile(r"^(?:kubernetes|k8s)\s+(?=\S)", re.IGNORECASE)
# `ClusterIP service`, `emptyDir volume`: the kind word after a proper name is not part of it.
# "restartPolicy options", "types of metrics", "too many image layers": the thing is what remains.
_COLLECTIVE_SUFFIX = re.compile(r"^(?:types|kinds|categories)\s+of\s+|\s+(?:options|types|kinds|tools|steps|practices|flow|ways|methods|categories|examples)$", re.IGNORECASE)
_QUANTIFIER = re.compile(r"^(?:too\s+many|many|multiple|several|some|all)\s+", re.IGNORECASE)
_KIND_SUFFIX = re.compile(
    r"^(?P<x>\S*[A-Z]\S*)\s+(?:service|volume|object|resource|component|controller|field|attribute|certification|"
    r"exam|tool|project|platform|framework)s?$|^(?P<file>\S+)\s+file$"
)
# Subjects too generic to be a term: "What's a key issue with …", "What is a challenge in …".
_GENERIC_SUBJECT = re.compile(
    r"^(?:(?:key|main|primary|common|typical|supported|best|good|major|security best|traditional|historical)\s+\S.*|"
    r"(?:two|three|four|five|six)(?:\s+(?!.*\bof\b)\S.*)?|\d[\d.,]*[a-z%]{0,2}\s.*|.*\bexam\b.*|.*(?-i:[a-z]/[a-z]).*|"
    r"(?:mnemonic|challenge|consideration|issue|problem|benefit|drawback|risk|limitation|example|option|tip|"
    r"practice|step|difference|reason|way)s?)$",
    re.IGNORECASE,
)
_IMPERATIVES = frozenset("use run follow set add create check apply turn wait install enable define make see go try".split())
_SUBJECT_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s+vs\.?\s+")
_PRONOUNS = frozenset("it its they them this that these those you we i he she one something there here".split())
_MAX_ANSWER_ITEMS = 2
_PREPOSITIONS = frozenset("on in for with via to from at into over under about".split())
_ANSWER_PART = re.compile(r"^\s*(?P<term>[^:;]{1,40}?)\s*:\s*(?P<definition>[^;]+?)\s*\.?\s*$")


def _question_subjects(question: str) -> list[str]:
    """The things a question asks about: `What are FreeBSD Jails (2000)?` → FreeBSD Jails,
    `What's the difference between CI and CD?` → CI, CD, `How does X benefit Y?` → X."""
    text = question.replace('"', "").replace("“", "").replace("”", "").replace("`", "").strip().rstrip("?").strip()
    contrast = _QUESTION_CONTRAST.match(text)
    does = _QUESTION_DOES.match(text) or _QUESTION_REFERS.match(text) or _QUESTION_PASSIVE.match(text)
    if contrast is not None:
        rest = f"{contrast['x']} and {contrast['y']}"  # "How do Security Contexts differ from Security Policies?"
    elif does is not None:
        rest = does["x"]
    else:
        lead = _QUESTION_LEAD.match(text)
        if lead is None:
            return []
        rest = lead["rest"]
    rest = _SUBJECT_LEAD.sub("", rest, count=1)
    rest = re.sub(r"^(?:the|an?)\s+", "", rest, flags=re.IGNORECASE)
    rest = _YEAR_REMARK.sub("", rest)
    rest = _SUBJECT_TAIL.sub("", rest, count=1).strip()
    possessive = _POSSESSIVE.match(rest)
    if possessive is not None:
        # "the Linux Foundation's role" asks about the owner; "CNCF's maturity levels" about the levels.
        owner, tail = possessive["owner"], possessive["rest"]
        rest = owner if _SUBJECT_LEAD.match(f"{tail} of ") else tail
    subjects = []
    for part in _SUBJECT_SPLIT.split(rest):
        part = re.sub(r"^(?:the|an?)\s+", "", part.strip(), flags=re.IGNORECASE)
        part = _PLATFORM_QUALIFIER.sub("", part)
        kind = _KIND_SUFFIX.match(part)
        part = (kind["x"] or kind["file"]) if kind is not None else part
        part = _COLLECTIVE_SUFFIX.sub("", _QUANTIFIER.sub("", part))
        words = part.split()
        if not words or words[0].casefold() in _PRONOUNS or words[0].casefold() in _LEADING_WORDS or len(words) > 5:
            continue
        if part.startswith("-") or _GENERIC_SUBJECT.match(part):
            continue
        if looks_like_term(_normalise_term(part)):
            subjects.append(part)
    return subjects


def _answer_terms(answer: str) -> list[str] | None:
    """An answer that is a term or a short list of terms (`Argo CD and Flux`), else None.

    A lone term may be lower-case (`runc`); every item of a list must start with a capital or be
    an acronym, which keeps "Easier maintenance, deployment, upgrades" a sentence.
    """
    text = answer.translate(_APOSTROPHES).strip()
    if not text or "`" in text or _URL.search(text) or ";" in text or ":" in text:
        return None
    ends_with_period = text.endswith(".")
    text = text.rstrip(".").strip()
    items = [i.strip() for i in _SUBJECT_SPLIT.split(text) if i.strip()]
    # Longer lists are usually examples or steps; members each explained in parentheses are kinds.
    if not items or (len(items) > _MAX_ANSWER_ITEMS and not all(i.endswith(")") for i in items)) or len(items) > 8:
        return None
    if ends_with_period and len(items) == 1:
        return None
    for item in items:
        bare = split_term(item)[0]
        words = bare.split()
        if not words or len(words) > 4 or not looks_like_term(_normalise_term(item)):
            return None
        first = words[0].casefold()
        if first in _PRONOUNS or first in _LEADING_WORDS or first in _IMPERATIVES or _VERBS.search(bare):
            return None
        if bare[0].isdigit() or any(w in _PREPOSITIONS for w in words[1:]):
            return None
        if len(items) > 1 and not (bare[0].isupper() or bare[0].isdigit()):
            return None
    return items


def _answer_pairs(answer: str) -> list[tuple[str, str]] | None:
    """`CI: frequent commits; CDelivery: release prep` → [(CI, …), (CDelivery, …)], else None."""
    parts = [p for p in answer.split(";") if p.strip()]
    if len(parts) < 2:
        return None
    pairs = []
    for part in parts:
        match = _ANSWER_PART.match(part)
        if match is None or not looks_like_term(_normalise_term(match["term"])) or len(match["term"].split()) > 3:
            return None
        pairs.append((match["term"], match["definition"]))
    return pairs


_FENCE = re.compile(r"^\s*(?:```|~~~)")
# Cheap test for a line worth reading for glosses: an acronym or a bold name next to a parenthesis.
_ACRONYM_HINT = re.compile(r"[A-Z][\w-]*[A-Z][\w-]*[*`]*\s*\(|\([A-Z][\w-]*[A-Z]s?\)|[\uac00-\ud7a3]\([A-Z][a-z]")
_PLACEHOLDER_LINE = re.compile(r"^[\s(),]*[:：][\s(),]*$")
_GLOSS_MARKUP = re.compile(r"\*\*|`|^\s*(?:[-*+]\s+|#{1,6}\s+|>\s*|\|)|\|")
_ACRONYM_FIRST = re.compile(r"\b(?P<acr>[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\s*\((?P<exp>[A-Z][A-Za-z-]*(?:[ -]+[A-Za-z&-]+){1,7})\)")
_EXPANSION_FIRST = re.compile(
    r"(?P<exp>\b[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|of|and|as|a|for|the|&|-))*)\s*\((?P<acr>[A-Z][A-Za-z0-9-]*[A-Z]s?)\)"
)
_BOLD_NAME_ACRONYM = re.compile(r"\*\*(?P<exp>[^*()\n]{2,40}?)\s*\((?P<acr>[A-Z][A-Za-z0-9-]{1,9})\)\*\*")
# "최소 권한 원칙(Least Privilege)": a Korean name glossed with its English one, inside a sentence.
_KO_EN_GLOSS = re.compile(
    r"(?:^|(?<=[\s,.(]))(?P<ko>[\uac00-\ud7a3]+(?:\s[\uac00-\ud7a3]+){0,2})\((?P<en>[A-Z][a-z]+(?:[ -][A-Za-z][a-z]+){0,3})\)"
)
_KO_LINKING_ENDINGS = tuple("을 를 이 가 은 는 며 고 서 에 로 와 과 의 도 면 지 게 며 해 한 된 인".split())
_SMALL_WORDS = frozenset("of and as a an for the & - to in on".split())


def _acronym_pairs(line: str) -> Iterator[tuple[str, str]]:
    """(term, alias) for each acronym spelled out on a source line, in the order written."""
    plain = line.replace("**", "").replace("`", "")
    for match in _ACRONYM_FIRST.finditer(plain):
        acronym, expansion = match["acr"], match["exp"].strip()
        if acronym_matches(acronym, expansion) and expansion[0].casefold() == acronym[0].casefold():
            yield acronym, expansion
    for match in _EXPANSION_FIRST.finditer(plain):
        acronym = match["acr"]
        words = match["exp"].split()
        letters = "".join(c for c in acronym.rstrip("s") if c.isupper() or c.isdigit()).casefold()
        for start in range(len(words) - 1, -1, -1):
            candidate = words[start:]
            initials = "".join(w[0] for w in candidate if w.casefold() not in _SMALL_WORDS).casefold()
            if candidate[0].casefold() in _SMALL_WORDS:
                continue
            if initials == letters or (len(candidate) >= 2 and initials[:1] == letters[:1] and acronym_matches(acronym, " ".join(candidate)) and len(initials) >= len(letters)):
                yield " ".join(candidate), acronym
                break
    for match in _KO_EN_GLOSS.finditer(plain) if not plain.lstrip().startswith("|") else ():
        if len(match["en"]) < 5:
            continue  # "개발(Dev)", "운영(Ops)": a translation of an everyday word, not a term
        words = match["ko"].split()
        while len(words) > 1 and words[0].endswith(_KO_LINKING_ENDINGS):
            words = words[1:]
        if not words[-1].endswith(_KO_LINKING_ENDINGS):
            yield " ".join(words), match["en"]
    for match in _BOLD_NAME_ACRONYM.finditer(line):
        name = match["exp"].strip()
        if has_syllable(name):  # a Korean name glossed with its acronym; English ones are matched above
            yield name, match["acr"]


def _split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_BREAK.split(text) if s]


# "X는 …을 말한다", "X(…)은 …을 의미한다": a topic and an explicitly defining predicate.
_KO_SUBJECT_DEFINE = re.compile(
    r"^(?P<x>[^\s,.]+(?:\s[^\s,.]+){0,2}?)\s?(?:은|는)\s+(?P<rest>.+?(?:말한다|의미한다|뜻한다|일컫는다|말합니다|의미합니다|뜻합니다|가리킨다))\s*[.。]?$"
)
_ARTICLE_ONLY = re.compile(r"^\s*(?:(?:a|an|the)\s+)?$", re.IGNORECASE)
_EN_VERB_AFTER = re.compile(r"^\s+(?:is|are|refers\s+to|means|(?!this\b|has\b)[a-z]{3,}s)\s+\S")
# Inside running text: a Latin name with a topic particle and a defining predicate, or any quoted name
# with a topic particle ("… Continuous Deployment는 배포까지 자동화되는 것을 말함", "'scale to zero'는 …").
_EMBEDDED_HINT = re.compile(
    r"말한다|말함|의미한다|의미함|뜻한다|뜻함|일컫는다|['‘\"“][^'’\"”]{2,40}['’\"”]\s?[은는]|[A-Z][a-z][A-Za-z0-9-]*\s[A-Z][A-Za-z0-9-]*\s?[은는]\s"
)
_EMBEDDED_SUBJECT = re.compile(
    r"(?:^|(?<=[\s,(]))(?:(?P<x>[A-Za-z][A-Za-z0-9-]*(?:\s[A-Za-z][A-Za-z0-9-]*){0,3})\s?[은는]\s+[^.]*?"
    r"(?:말한다|말함|의미한다|의미함|뜻한다|뜻함|일컫는다)|['‘\"“](?P<quoted>[^'’\"”]{2,40})['’\"”]\s?[은는]\s+\S|"
    r"(?P<named>[A-Z][a-z][A-Za-z0-9-]*(?:\s[A-Z][A-Za-z0-9-]*){1,2})\s?[은는]\s+[^.]*?(?:합니다|한다|이다|입니다))"
)
_COUNTED = re.compile(r"\s*등\s*(?P<n>[2-9])\s*가지")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9.-]*(?:\s[A-Za-z][A-Za-z0-9.-]*){0,2}$")


def _clause_before(text: str, end: int) -> str:
    """The text before `end` back to the last sentence break outside parentheses."""
    depth = 0
    for index in range(end - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ".!?\n" and (index + 1 == end or text[index + 1].isspace()):
            return text[index + 1 : end].strip()
    return text[:end].strip()


def _top_level_commas(text: str) -> list[str]:
    """`A(x, y), B(z), C` → [`A(x, y)`, `B(z)`, `C`]: commas inside parentheses do not split."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


_MARK_GLOSS = re.compile(r"\s?\((?P<gloss>(?!e\.g|ex\b|예)[^()\d][^()]{2,40})\)")
_APPOSITION_BEFORE = re.compile(r"[\uac00-\ud7a3]{2,}인\s$")
_APPOSITION_AFTER = re.compile(r"^\s?(?:이라는|라는)\s+\S")
_KO_DEFINING_PREDICATE = re.compile(r"말한다|의미한다|뜻한다|일컫는다|말합니다|의미합니다|뜻합니다|가리킨다")
# `**Label**은 …`, `**Retain**은 …, **Delete**는 …`: a marked name with a topic particle.
_MARKED_TOPIC = re.compile(r"^\s?(?:은|는)\s+")


def _sentence_definition(text: str) -> tuple[str, str, str] | None:
    """`X이란 …`, `X란 …` and `X is a …` at the start of `text` → (X, definition)."""
    first_line = text.split("\n", 1)[0]
    match = _KO_DEFINE.match(text)
    if match and "\n" not in match["x"]:
        term = _normalise_term(match["x"])
        last = term[-1:] if term else ""
        if term and not (match["marker"] == "란" and has_final_consonant(last)) and not (
            is_syllable(term)
        ):
            definition = _clean(match["rest"])
            if definition.startswith(("무엇", "뭘", "뭐", "어떤")) or definition.endswith("?"):
                return None
            if looks_like_term(term) and len(term.split()) <= 4 and _valid_definition(definition):
                return term, definition, "sentence:define"
    match = _EN_DEFINE.match(first_line)
    if match:
        term = _normalise_term(match["x"])
        words = term.split()
        if (
            words
            and len(words) <= 4
            and words[0].casefold() not in _LEADING_WORDS
            and (term[0].isupper() or term[0].isdigit() or not _LOWER_START.match(term))
            and looks_like_term(term)
        ):
            definition = _clean(text)
            if _valid_definition(definition) and len(definition.split()) >= 4:
                return term, definition, "sentence:is"
    match = _KO_SUBJECT_DEFINE.match(first_line) if _KO_DEFINING_PREDICATE.search(first_line) else None
    if match:
        term = _normalise_term(match["x"])
        if looks_like_term(term) and len(term.split()) <= 3 and _valid_definition(match["rest"]):
            return term, _clean(first_line), "sentence:subject"
    return None


# --------------------------------------------------------------------------------------------
# Term + definition from one block's inline text.


@dataclass(slots=True)
class _Found:
    raw_term: str
    definition: str
    shape: EntryShape
    extra_aliases: tuple[str, ...] = ()
    bare: bool = False  # the text is a marked term alone (`- **Group**`), a group candidate
    rule: str = ""
    arrow: bool = False  # the separator was an arrow (`->`, `=>`, `→`)


def _leading_mark(rich: Rich) -> tuple[int, int] | None:
    text = rich.text
    start = len(text) - len(text.lstrip())
    best: tuple[int, int] | None = None
    for mark_start, mark_end, kind in rich.marks:
        if kind != "link" and mark_start == start and mark_end > mark_start and (best is None or mark_end > best[1]):
            best = (mark_start, mark_end)
    return best


def _lead_parenthetical(definition: str) -> tuple[str, tuple[str, ...]]:
    """`(Countinuous Integration/Deployment): …` right after the separator names the term."""
    match = _PAREN_LEAD.match(definition)
    if match and len(match["inner"].split()) <= 6:
        return definition[match.end() :], (match["inner"].strip(),)
    return definition, ()


def _marked(rich: Rich, shape: EntryShape) -> _Found | None:
    """A bold or code term at the very start, then a separator, `이란`/`란`, or nothing."""
    span = _leading_mark(rich)
    if span is None:
        return None
    text = rich.text
    raw_term = text[span[0] : span[1]]
    rest = text[span[1] :]
    if "\n" in raw_term:
        return None
    paren = _LEADING_PAREN.match(rest)
    if paren and not rest[paren.end() :].lstrip().startswith(("란", "이란")) or paren and not raw_term.endswith((":", ".")):
        raw_term, rest = raw_term + " " + paren.group(1), rest[paren.end() :]
    term_text = raw_term.rstrip()
    if term_text.endswith((":", "：", ".")) and len(term_text) > 1:
        definition, extra = _lead_parenthetical(_LEAD_SEPARATOR.sub("", rest, count=1))
        return _Found(term_text[:-1], _clean(definition), shape, extra)
    head = rest.lstrip(" \t")
    if not head.strip():
        return _Found(raw_term, "", shape, bare=True)
    separator = _LEAD_SEPARATOR.match(head)
    if separator:
        definition, extra = _lead_parenthetical(head[separator.end() :])
        definition = _LEADING_DASH.sub("", definition)
        arrow = _ARROW.search(separator.group()) is not None
        if arrow and _ARROW.search(definition):
            return None  # `A → B → C`: a flow, not a definition
        return _Found(raw_term, _clean(definition), shape, extra, arrow=arrow)
    marker = _DEFINE_MARKER.match(head)
    if marker:
        return _Found(raw_term, _clean(head[marker.end() :]), EntryShape.SENTENCE if shape is EntryShape.BOLD_PARAGRAPH else shape)
    if head.startswith("\n"):
        return _Found(raw_term, _clean(head), shape)
    return None


def _marked_subject(rich: Rich) -> _Found | None:
    """`A **union file system** merges layers …` → (union file system, the sentence)."""
    span = next(((a, b) for a, b, kind in sorted(rich.marks) if kind != "link"), None)
    if span is None or not _ARTICLE_ONLY.match(rich.text[: span[0]]) or not _EN_VERB_AFTER.match(rich.text[span[1] :]):
        return None
    sentence = _split_sentences(_clean(rich.text))[0]
    if not _valid_definition(sentence) or len(sentence.split()) < 5:
        return None
    return _Found(rich.text[span[0] : span[1]], sentence, EntryShape.SENTENCE, rule="sentence:is")


def _plain(text: str, shape: EntryShape, marks: Sequence[tuple[int, int, str]] = (), base: int = 0) -> _Found | None:
    """`Term : definition`, `Term - definition`, `Term — definition` on the first line.

    A separator inside inline code or a link (`docker run -p 80:80`) does not count.
    """
    match = _PLAIN_SEPARATOR.match(text)
    if not match:
        return None
    separator = base + match.start("sep")
    if any(start <= separator < end for start, end, kind in marks if kind in ("code", "link")):
        return None
    term = match["term"].strip()
    if "(" in term and ")" not in term:
        return None
    definition, extra = _lead_parenthetical(match["rest"])
    definition = _LEADING_DASH.sub("", definition)
    arrow = _ARROW.search(match["sep"]) is not None
    if arrow and _ARROW.search(definition):
        return None  # `A -> B -> C`: a flow, not a definition
    value = _VALUE_LEAD.match(definition) if _FIELD_NAME.match(term.strip("`*_ ")) else None
    if value is not None:
        return _Found(value["value"], _clean(value["rest"]), shape, extra, rule="line:field_value")
    return _Found(term, _clean(definition), shape, extra, arrow=arrow)


# --------------------------------------------------------------------------------------------
# Entry drafts, merged and frozen at the end.


@dataclass(slots=True, eq=False)
class _Draft:
    term: str
    aliases: tuple[str, ...]
    definition: str
    line: int
    section: tuple[str, ...]
    shape: EntryShape
    parent: _Draft | None = None
    members: list[_Draft] = field(default_factory=list)
    plain_members: list[str] = field(default_factory=list)
    table_id: str | None = None
    merged_into: _Draft | None = None
    rule: str = ""
    twins: list[str] = field(default_factory=list)  # other things this definition also defines

    def root(self) -> _Draft:
        draft = self
        while draft.merged_into is not None:
            draft = draft.merged_into
        return draft

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


def _make_draft(
    raw_term: str,
    definition: str,
    line: int,
    section: tuple[str, ...],
    shape: EntryShape,
    extra_aliases: Sequence[str] = (),
    *,
    allow_label: bool = False,
    rule: str = "",
) -> _Draft | None:
    if " — " in raw_term or " – " in raw_term:
        raw_term = _SUBTITLE.sub("", raw_term)  # "Docker (2013) — The Usability Revolution": Docker
    if _RAW_FLAG.match(raw_term) or ("/" in raw_term and _RAW_FOLDER.search(raw_term)):
        return None  # `-it`, `blobs/`: a flag or a folder, whose dash or slash the normalising would strip
    split = _split_if_term(_normalise_term(raw_term), allow_label)
    if split is None:
        return None
    term, aliases = split
    if _COMPOUND_HINT.search(term) and _COMPOUND.search(term) and not aliases and not extra_aliases and shape is not EntryShape.TABLE_COLUMN:
        return None  # "Service Discovery & Load Balancing", "저장소와 볼륨": a feature-list label joining two things
    term = _strip_edges(term) or term
    twins: list[str] = []
    for joiner in (", ", " / "):
        # `CRI-O, containerd : …`, `containerd / docker`: two things sharing one definition.
        halves = [split_term(p.strip())[0] for p in term.split(joiner)] if joiner in term else []
        if len(halves) == 2 and all(h and looks_like_term(h) and len(h.split()) <= 3 for h in halves):
            term, twins = halves[0], [halves[1]]
            break
    definition = definition.strip()
    if len(definition) > _MAX_DEFINITION_CHARS:
        definition = definition[: _MAX_DEFINITION_CHARS - 1].rstrip() + "…"
    extras = [a for a in extra_aliases if a and len(a) <= _MAX_TERM_CHARS]
    draft = _Draft(term, merge_names(term, aliases, extras), definition, line, section, shape)
    draft.rule = rule or shape.value
    draft.twins = twins
    return draft


@dataclass(slots=True)
class _ItemResult:
    draft: _Draft | None
    text: str  # cleaned text of the item's first paragraph when it is not an entry
    line: int


class _NoteReader:
    """Reads one note's block tree into drafts, tables, sections and problems."""

    def __init__(self, deck: str, path: str, source_lines: list[str]) -> None:
        self.deck = deck
        self.path = path
        self.source_lines = source_lines
        self.drafts: list[_Draft] = []
        self.tables: list[StudyTable] = []
        self.sections: dict[tuple[str, ...], None] = {}
        self.problems: list[Problem] = []
        self.table_ids: set[str] = set()

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    # ---- document flow: headings, pseudo-headings, segments

    def read(self, blocks: list[_Block]) -> None:
        stack: list[tuple[int, str]] = []
        head: tuple[str, int, bool] | None = None  # (text, line, is_pseudo)
        segment: list[_Block] = []
        section: tuple[str, ...] = ()
        segment_section: tuple[str, ...] = ()
        head_level = 0
        for block in _flatten_quotes(blocks):
            if isinstance(block, _Heading):
                text = _clean(block.rich.text)
                if (
                    head is not None and not segment and block.level > head_level
                    and head[0].rstrip().endswith("?") and _is_label(_normalise_term(text))
                ):
                    continue  # "## What is X?" then "### Definition": the label heading opens X's answer
                self.segment(head, segment, segment_section)
                head_level = block.level
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                if text:
                    stack.append((block.level, text))
                section = tuple(t for _, t in stack)
                if section:
                    self.sections.setdefault(section, None)
                head, segment, segment_section = (text, block.rich.line, False), [], section
            elif isinstance(block, _Para) and self._is_pseudo_heading(block.rich):
                self.segment(head, segment, segment_section)
                head, segment, segment_section = (_clean(block.rich.text), block.rich.line, True), [], section
            elif isinstance(block, _Break):
                self.segment(head, segment, segment_section)
                head, segment, segment_section = None, [], section
            elif isinstance(block, _Callout):
                # Its own segment: the callout's text never runs on into the entry before it.
                self.segment(head, segment, segment_section)
                head, segment, segment_section = None, [], section
                self.callout(block, section)
            else:
                segment.append(block)
        self.segment(head, segment, segment_section)

    def callout(self, callout: _Callout, section: tuple[str, ...]) -> None:
        """`> [!note] Release` + body: the title is defined by the body, as a heading would be."""
        first = len(self.drafts)
        head = (callout.title, callout.line, False) if callout.title and not _is_label(callout.title) else None
        self.segment(head, callout.blocks, section)
        for draft in self.drafts[first:]:
            if draft.line == callout.line and draft.shape is EntryShape.HEADING:
                draft.shape, draft.rule = EntryShape.CALLOUT, "callout"

    @staticmethod
    def _is_pseudo_heading(rich: Rich) -> bool:
        span = _leading_mark(rich)
        if span is None:
            return False
        tail = rich.text[span[1] :].strip()
        return tail in ("", ":", "：") and "\n" not in rich.text.strip()

    def segment(self, head: tuple[str, int, bool] | None, blocks: list[_Block], section: tuple[str, ...]) -> None:
        if head is None and not blocks:
            return
        first_draft = len(self.drafts)
        leading_paras: list[str] = []
        leading = True
        plain_items: list[tuple[str, int]] = []
        first_list_plain: list[tuple[str, int]] | None = None
        entry_items = 0
        pending_question: tuple[str, int] | None = None
        for index, block in enumerate(blocks):
            if isinstance(block, _Para):
                next_block = blocks[index + 1] if index + 1 < len(blocks) else None
                caption_text = _clean(block.rich.text)
                caption_like = (
                    isinstance(next_block, _Table)
                    and len(caption_text) <= 60
                    and not caption_text.endswith((".", "。", "다"))
                )
                consumed, pending_question = self.paragraph(block.rich, section, pending_question)
                text = _clean(block.rich.text)
                if consumed or not text:
                    if consumed:
                        leading = False
                    continue
                if leading and not caption_like:
                    leading_paras.append(text)
                else:
                    leading = False
            elif isinstance(block, _List):
                before = len(self.drafts)
                results = [self.item(item, section) for item in block.items]
                previous = blocks[index - 1] if index else None
                if isinstance(previous, _Para) and _KO_SENTENCE_LEAD.search(previous.rich.text):
                    # "…호환성을 제공합니다:" then "- **Docker 호환 API**: …": Korean labels of what a thing offers.
                    labels = {id(d) for d in self.drafts[before:] if len(d.term.split()) >= 2 and has_syllable(d.term)}
                    self.drafts[before:] = [d for d in self.drafts[before:] if id(d) not in labels]
                    results = [r if r.draft is None or id(r.draft) not in labels else _ItemResult(None, "", r.line) for r in results]
                plain = [(r.text, r.line) for r in results if r.draft is None and r.text]
                entry_items += sum(1 for r in results if r.draft is not None)
                if first_list_plain is None:
                    # Only a list right under the heading (or its lead paragraphs) can define it.
                    first_list_plain = plain if leading else []
                plain_items.extend(plain)
                leading = False
            elif isinstance(block, _Opaque):
                leading = False
            elif isinstance(block, _Table):
                caption = ""
                if index > 0 and isinstance(blocks[index - 1], _Para):
                    previous = _clean(blocks[index - 1].rich.text)
                    caption = previous if len(previous) <= 60 else ""
                self.table(block, section, caption or (head[0] if head else ""), head[0] if head else "")
                leading = False
        if head is not None and head[2] and _RESOURCE_LABEL.search(head[0]):
            del self.drafts[first_draft:]  # under "**꼭 챙겨야 할 리소스:**" the items are resources to read, not terms
            return
        if head is not None:
            body_drafts = self.drafts[first_draft:]
            del self.drafts[first_draft:]
            self.heading_entry(head, section, leading_paras, first_list_plain or [], entry_items, body_drafts)
            self.drafts.extend(body_drafts)

    def heading_entry(
        self,
        head: tuple[str, int, bool],
        section: tuple[str, ...],
        paragraphs: list[str],
        list_plain: list[tuple[str, int]],
        entry_items: int,
        body_drafts: Sequence[_Draft] = (),
    ) -> None:
        text, line, pseudo = head
        text = _strip_heading_remarks(text)
        whole = _plain(text, EntryShape.BOLD_PARAGRAPH) if pseudo and ":" in text[:-1] else None
        if whole is not None and whole.definition:
            # "**strategy : 파드를 업데이트 해야 할 때 어떤 방식으로 할 것인가.**": a whole bold definition line
            draft = _make_draft(whole.raw_term, whole.definition, line, section, EntryShape.BOLD_PARAGRAPH)
            if draft is not None and _valid_definition(draft.definition):
                self.drafts.append(draft)
                return
        said = _HEADING_SENTENCE.match(text) if len(text) > 40 else None
        if said is not None:
            # "### Logs are messages that are outputs from your application …": a heading written as a definition.
            draft = _make_draft(said["x"], " ".join([text, *paragraphs]), line, section, EntryShape.HEADING, rule="sentence:is")
            if draft is not None:
                self.drafts.append(draft)
            return
        raw = _normalise_term(text)
        described = _DESCRIBED_NAME.match(raw) if raw[-1:].isascii() and has_syllable(raw) else None
        if described is not None:
            raw = described["name"]  # "ReplicaSet 의 부족한 부분을 보완해주는 Deployment" names Deployment
        question = _question_term(text) if text.rstrip().endswith("?") or re.search(r"(?:이란|란)\s*\??$", text) else None
        term_text = question or raw
        if not term_text or (text.rstrip().endswith("?") and question is None):
            return
        bare = split_term(term_text)[0]
        if re.search(r"\bvs\.?\b", term_text, re.IGNORECASE) or ": " in bare:
            return
        words = [w.casefold() for w in re.sub(r"\d+", "", bare).split()]
        if not words:
            return
        section_like = question is None and (
            words[-1] in _SECTION_WORDS
            or (len(words) > 1 and (words[0] in _SECTION_LEADS or words[0] in _ACTIVITY_GERUNDS or words[0] in _IMPERATIVE_LEADS))
        )
        members = [t for t, _ in list_plain]
        member_like = len(members) >= 2 and all(
            looks_like_term(_normalise_term(m), allow_label=True) and len(m.split()) <= 4 for m in members
        )
        definition = " ".join(paragraphs)
        lead_in = bool(paragraphs) and _is_lead_in(paragraphs[-1])
        if lead_in and entry_items and not members:
            return  # "X는 다음과 같습니다:" followed by entries: a section, not a definition
        if lead_in and members and not member_like:
            definition = f"{definition} {', '.join(members)}"
        if member_like and pseudo and text.rstrip().endswith((":", "：")):
            return  # "**Architecture Goals:**" over a list: a label, like any colon-ended bold line
        if member_like:
            draft = _make_draft(
                term_text, definition or ", ".join(members), line, section, EntryShape.HEADING, allow_label=True, rule="heading:group"
            )
            if draft is not None:
                draft.plain_members = [_normalise_term(m) for m in members]
                self.drafts.append(draft)
            return
        if section_like:
            return
        if pseudo and entry_items and not paragraphs:
            # `**Control Plane (=Master Node)**` over a list of entries names their group; a label
            # ends with a colon (`**Key Features:**`) and stays out.
            children = [d for d in body_drafts if d.shape is EntryShape.LIST_ITEM and d.parent is None]
            if children and not text.rstrip().endswith((":", "：")):
                draft = _make_draft(term_text, ", ".join(d.term for d in children), line, section, EntryShape.HEADING, rule="heading:group")
                if draft is not None:
                    draft.members = list(children)
                    for child in children:
                        child.parent = draft
                    self.drafts.append(draft)
            return
        if not definition and members and not entry_items:
            definition = "; ".join(members)
        if not _valid_definition(definition):
            return
        # A heading that spells out its own name or asks "What is X?" is a surer sign than a bare one.
        rule = "heading:question" if question else "heading:named" if split_term(term_text)[1] else "heading:bare"
        draft = _make_draft(term_text, _clean(definition), line, section, EntryShape.HEADING, rule=rule)
        if draft is not None:
            self.drafts.append(draft)
            self.embedded_sentences(definition, line, section, skip_first=False)

    # ---- acronyms spelled out in running text

    def acronym_glosses(self, body_start: int) -> None:
        """`CKA (Certified Kubernetes Administrator)`, `Kubernetes Enhancement Proposal (KEP)`,
        `**버전 관리 시스템(VCS)**` anywhere outside code: a term with its alias. A name an entry
        already has only adds the other name to that entry (see `_merge`)."""
        in_fence = False
        for index in range(body_start, len(self.source_lines)):
            line = self.source_lines[index]
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence or "(" not in line or _ACRONYM_HINT.search(line) is None:
                continue
            for term, alias in _acronym_pairs(line):
                if _PLACEHOLDER_LINE.match(_GLOSS_MARKUP.sub("", line).replace(term, "").replace(alias, "")):
                    continue  # `CDN(Content Delivery Network) :` with nothing after it is a placeholder
                draft = _make_draft(term, _clean(_GLOSS_MARKUP.sub("", line)), index + 1, (), EntryShape.SENTENCE, (alias,), rule="acronym:gloss")
                if draft is not None and not _RAW_FLAG.match(alias):
                    self.drafts.append(draft)

    # ---- paragraphs

    def paragraph(
        self, rich: Rich, section: tuple[str, ...], pending_question: tuple[str, int] | None
    ) -> tuple[bool, tuple[str, int] | None]:
        """Entries from a top-level paragraph; returns (consumed, question awaiting an answer)."""
        text = rich.text.strip()
        if not text:
            return False, None
        self.marked_glosses(rich, section)
        lines = text.split("\n")
        if len(lines) >= 2 and sum(1 for ln in lines if _TABLE_LIKE.match(ln)) >= 2:
            self.warn(rich.line, "this looks like a table but has no `| --- |` delimiter row under its header; read as text")
            return True, None
        if pending_question is not None:
            answer = _QA_ANSWER.match(text)
            if answer:
                self.qa(pending_question[0], answer["a"], pending_question[1], section)
                return True, None
        question = _QA_QUESTION.match(text)
        if question:
            q_lines = question["q"].split("\n")
            for offset, candidate in enumerate(q_lines[1:], start=1):
                answer = _QA_ANSWER.match(candidate)
                if answer:
                    self.qa(" ".join(q_lines[:offset]), " ".join([answer["a"], *q_lines[offset + 1 :]]), rich.line, section)
                    return True, None
            return True, (question["q"], rich.line)
        if "::" in text:
            cards = [(i, _FLASHCARD.match(ln)) for i, ln in enumerate(lines)]
            if any(m for _, m in cards):
                for i, match in cards:
                    if match:
                        self.qa(match["q"], match["a"], rich.line + i, section)
                return True, None
        if len(lines) >= 2 and self.line_by_line(rich, section):
            return True, None
        found = _marked(rich, EntryShape.BOLD_PARAGRAPH)
        if found is not None and not found.bare:
            draft = _make_draft(found.raw_term, found.definition, rich.line, section, found.shape, found.extra_aliases)
            if draft is not None and _valid_definition(draft.definition):
                self.drafts.append(draft)
                self.embedded_sentences(draft.definition, rich.line, section, skip_first=True)
                return True, None
        if len(lines) >= 2 and lines[1].lstrip().startswith((":", "：")) and looks_like_term(_normalise_term(lines[0])):
            definition = _clean(" ".join(re.sub(r"^\s*[:：]\s*", "", ln) for ln in lines[1:]))
            draft = _make_draft(lines[0], definition, rich.line, section, EntryShape.DEFINITION_LIST)
            if draft is not None and _valid_definition(definition):
                self.drafts.append(draft)
                return True, None
        if self.line_entries(lines, rich, section):
            return True, None
        sentence = _sentence_definition(text)
        if sentence is not None:
            draft = _make_draft(sentence[0], sentence[1], rich.line, section, EntryShape.SENTENCE, rule=sentence[2])
            if draft is not None:
                self.drafts.append(draft)
        elif self.marked_topics(rich, section) or self.marked_subject(rich, section):
            return True, None
        self.marked_appositions(rich, section)
        self.embedded_sentences(_clean(text), rich.line, section, skip_first=True)
        return False, None

    def line_by_line(self, rich: Rich, section: tuple[str, ...]) -> bool:
        """A paragraph whose lines each define a term (`**Ingress.** …` then `**Egress.** …`, or one
        Korean defining sentence per line): one entry per line; other lines continue the last one."""
        rows = _rich_lines(rich)
        if sum(1 for row in rows if (row.marks and row.marks[0][0] == 0) or "란" in row.text) < 2:
            return False
        shapes: list[tuple[_Found | None, str]] = []
        for row in rows:
            found = _marked(row, EntryShape.BOLD_PARAGRAPH)
            if found is not None and found.bare:
                found = None
            if found is None and (sentence := _sentence_definition(row.text)) is not None:
                found = _Found(sentence[0], sentence[1], EntryShape.SENTENCE, rule=sentence[2])
            shapes.append((found, _clean(row.text)))
        if sum(1 for found, _ in shapes if found is not None) < 2:
            return False
        made: list[_Draft] = []
        current: _Draft | None = None
        for row, (found, text) in zip(rows, shapes, strict=True):
            draft = None
            if found is not None:
                draft = _make_draft(found.raw_term, found.definition, row.line, section, found.shape, found.extra_aliases, rule=found.rule)
            if draft is not None:
                current = draft
                made.append(draft)
            elif current is not None and text:
                current.definition = f"{current.definition} {text}".strip()
        kept = [d for d in made if _valid_definition(d.definition)]
        self.drafts.extend(kept)
        return bool(kept)

    def marked_subject(self, rich: Rich, section: tuple[str, ...]) -> bool:
        """`A **union file system** merges layers …`: an English sentence whose subject is marked."""
        found = _marked_subject(rich)
        draft = None if found is None else _make_draft(found.raw_term, found.definition, rich.line, section, found.shape, rule=found.rule)
        if draft is None:
            return False
        self.drafts.append(draft)
        return True

    def counted_enumerations(self, text: str, line: int, section: tuple[str, ...]) -> None:
        """`Image-spec(…), Runtime-spec(…), Distribution-spec(…) 등 3가지 사양`: the names a sentence
        counts out, when the count matches, are each a member of that kind."""
        for match in _COUNTED.finditer(text):
            clause = _clause_before(text, match.start())
            sentence = clause + text[match.start() :].split(".", 1)[0]
            found = [_LATIN_NAME.search(split_term(n.strip())[0]) for n in _top_level_commas(clause)]
            count = int(match["n"])
            names = [m.group() for m in found[-count:] if m is not None] if count <= len(found) else []
            if len(names) == count:
                for name in names:
                    draft = _make_draft(name, sentence, line, section, EntryShape.SENTENCE, rule="sentence:enumeration")
                    if draft is not None:
                        self.drafts.append(draft)

    def marked_glosses(self, rich: Rich, section: tuple[str, ...]) -> None:
        """`**Node** (Machine) → **Pod** (Deployment Unit)`, `Governs **Image Format** (packaging)`:
        a marked name glossed in parentheses right after it (unsure: a gloss is not much of a definition)."""
        text = rich.text
        if "(" not in text:
            return
        for start, end, kind in rich.marks:
            gloss = _MARK_GLOSS.match(text, end) if kind == "strong" else None
            if gloss is None or split_term(f"{text[start:end]} ({gloss['gloss']})")[1]:
                continue  # no gloss, or the parentheses give another name (an alias, read elsewhere)
            draft = _make_draft(text[start:end], gloss["gloss"], rich.line, section, EntryShape.SENTENCE, rule="sentence:subject")
            if draft is not None and _valid_definition(draft.definition):
                self.drafts.append(draft)

    def marked_appositions(self, rich: Rich, section: tuple[str, ...]) -> None:
        """"컨테이너 오케스트레이션 플랫폼인 `Kubernetes`", "**persistent volume claim** 이라는 Object":
        a marked name the sentence describes in apposition (unsure: read out of prose)."""
        text = rich.text
        if "인" not in text and "라는" not in text:
            return
        for start, end, kind in rich.marks:
            if kind == "link":
                continue
            if not (_APPOSITION_BEFORE.search(text[:start]) or _APPOSITION_AFTER.match(text[end:])):
                continue
            sentence = next((s for s in _split_sentences(_clean(text)) if _clean(text[start:end]) in s), _clean(text))
            draft = _make_draft(text[start:end], sentence, rich.line, section, EntryShape.SENTENCE, rule="sentence:subject")
            if draft is not None and _valid_definition(draft.definition):
                self.drafts.append(draft)

    def marked_topics(self, rich: Rich, section: tuple[str, ...]) -> bool:
        """`**Retain**은 PV를 보존한다. **Delete**는 …`: each marked name with a topic particle is
        defined by its clause, up to the next such name or the end of the sentence."""
        text = rich.text
        spans = []
        for start, end, kind in sorted(rich.marks):
            if kind == "link" or _MARKED_TOPIC.match(text[end:]) is None:
                continue
            before = text[:start].rstrip()
            if before and not before.endswith((".", ",", ":", "。", ")")):
                continue  # a marked word inside a sentence, not its topic
            spans.append((start, end))
        made = []
        for index, (start, end) in enumerate(spans):
            stop = spans[index + 1][0] if index + 1 < len(spans) else len(text)
            clause = _MARKED_TOPIC.sub("", text[end:stop], count=1)
            clause = _split_sentences(clause)[0] if clause.strip() else ""
            draft = _make_draft(text[start:end], _clean(clause).rstrip(", "), rich.line, section, EntryShape.SENTENCE, rule="sentence:subject")
            if draft is not None and _valid_definition(draft.definition):
                made.append(draft)
        self.drafts.extend(made)
        return bool(made)

    def line_entries(self, lines: list[str], rich: Rich, section: tuple[str, ...]) -> bool:
        """Paragraph lines of `Term : definition`; other lines continue the previous definition."""
        first_line = rich.line
        starts: list[int] = []
        position = len(rich.text) - len(rich.text.lstrip())
        for line_text in lines:
            starts.append(position)
            position += len(line_text) + 1
        first = _plain(lines[0], EntryShape.LINE, rich.marks, starts[0])
        if first is None:
            return False
        made: list[_Draft] = []
        current: _Draft | None = None
        for offset, line_text in enumerate(lines):
            found = _plain(line_text, EntryShape.LINE, rich.marks, starts[offset]) if line_text.strip() else None
            draft = None
            if found is not None:
                draft = _make_draft(found.raw_term, found.definition, first_line + offset, section, EntryShape.LINE, found.extra_aliases)
            if draft is not None:
                current = draft
                made.append(draft)
            elif current is not None and found is None:
                current.definition = f"{current.definition} {_clean(line_text)}".strip()
            elif found is not None:
                current = None  # a placeholder or label line: its continuation lines are not ours
        kept = [d for d in made if _valid_definition(d.definition)]
        self.drafts.extend(kept)
        return bool(kept)

    def qa(self, question: str, answer: str, line: int, section: tuple[str, ...]) -> None:
        """A question and its answer: "What is X?" defines X; "Which tool …? :: X" names X; the
        answer's `X: …; Y: …` parts define X and Y; otherwise the question's subject is defined."""
        question = _clean(question)
        definition = _clean(answer)
        if not _valid_definition(definition):
            return
        made: list[_Draft | None] = []
        term = _question_term(question)
        if term is not None:
            # "What are Solaris Zones and HP-UX Virtual Partitions?" asks about both.
            for part in _SUBJECT_SPLIT.split(_PLATFORM_QUALIFIER.sub("", term)) if _COMPOUND_HINT.search(term) else [_PLATFORM_QUALIFIER.sub("", term)]:
                made.append(_make_draft(part, definition, line, section, EntryShape.QA, rule="qa:what_is"))
        elif (pairs := _answer_pairs(definition)) is not None:
            made.extend(_make_draft(t, d, line, section, EntryShape.QA, rule="qa:answer_parts") for t, d in pairs)
        elif _NEGATED_QUESTION.search(question) or _FACT_QUESTION.match(question):
            return  # "Which of these is NOT …?": the answer is what the thing is not
        elif (items := _answer_terms(definition)) is not None:
            made.extend(_make_draft(item, question, line, section, EntryShape.QA, rule="qa:answer") for item in items)
        else:
            made.extend(_make_draft(x, definition, line, section, EntryShape.QA, rule="qa:subject") for x in _question_subjects(question))
        self.drafts.extend(d for d in made if d is not None)

    def embedded_sentences(self, text: str, line: int, section: tuple[str, ...], *, skip_first: bool) -> None:
        """`Mutual authentication이란 …`, `… Continuous Deployment는 …을 말함`, `'scale to zero'는 …`
        inside a longer text define a term of their own, and `A(…), B(…), C(…) 등 3가지 사양` names
        three."""
        if "가지" in text:
            self.counted_enumerations(text, line, section)
        if "란" not in text and not (("는" in text or "은" in text) and _EMBEDDED_HINT.search(text)):
            return
        sentences = _split_sentences(text)
        for sentence in sentences:
            for match in _EMBEDDED_SUBJECT.finditer(sentence):
                term = match["x"] or match["quoted"] or match["named"]
                draft = _make_draft(term, _clean(sentence), line, section, EntryShape.SENTENCE, rule="sentence:subject")
                if draft is not None:
                    self.drafts.append(draft)
        if "란" not in text:
            return
        for sentence in sentences[1 if skip_first else 0 :]:
            if "란" not in sentence:
                continue
            match = _KO_DEFINE.match(sentence)
            if not match:
                continue
            found = _sentence_definition(sentence)
            if found is not None:
                draft = _make_draft(found[0], found[1], line, section, EntryShape.SENTENCE, rule=found[2])
                if draft is not None:
                    self.drafts.append(draft)

    # ---- lists

    def item(self, item: _Item, section: tuple[str, ...]) -> _ItemResult:
        first = item.blocks[0] if item.blocks and isinstance(item.blocks[0], _Para) else None
        rich = first.rich if first is not None else Rich("", [], item.line)
        if _CHECKBOX.match(rich.text) or _TOC_PLACEHOLDER.match(_clean(rich.text)):
            return _ItemResult(None, "", item.line)  # a task-list line or a generated TOC marker
        self.marked_glosses(rich, section)
        found = self._item_shape(rich)
        if found is not None and found.arrow and item.ordered:
            found = None  # `1. **kubectl** → API Server에 요청 전송`: a numbered step of a process
        children: list[_ItemResult] = []
        extra_text: list[str] = []
        for block in item.blocks[1:] if first is not None else item.blocks:
            if isinstance(block, _List):
                children.extend(self.item(child, section) for child in block.items)
            elif isinstance(block, _Para):
                cleaned = _clean(block.rich.text)
                if cleaned:
                    extra_text.append(cleaned)
            elif isinstance(block, _Table):
                self.table(block, section, "", "")
        child_entries = [c.draft for c in children if c.draft is not None]
        child_plain = [c.text for c in children if c.draft is None and c.text]
        text = _clean(rich.text)
        if found is None and text.endswith("?") and len(child_plain) == 1 and not child_entries and not extra_text:
            self.qa(text, child_plain[0], item.line, section)  # `- What is X?` with the answer nested below
            return _ItemResult(None, "", item.line)
        draft: _Draft | None = None
        lead_in = bool(children) and text.endswith((":", "：")) and _leading_mark(rich) is None
        if lead_in:
            pass  # "API 요청 흐름:", "다음주:" over sub-items: a step or label line, not a term
        elif found is not None and not found.bare:
            definition = " ".join([found.definition, *extra_text]).strip()
            draft = _make_draft(found.raw_term, definition, item.line, section, found.shape, found.extra_aliases, rule=found.rule)
        elif found is not None or (child_entries or child_plain or extra_text):
            # A term alone: a group of entries, a list of members, or defined by its children.
            raw = found.raw_term if found is not None else text
            if found is None and (raw.endswith("?") or not (child_entries or child_plain)):
                raw = ""
            if raw:
                draft = _make_draft(raw, " ".join(extra_text), item.line, section, EntryShape.LIST_ITEM, allow_label=bool(child_entries))
        if draft is not None:
            member_like = (
                not draft.definition
                and len(child_plain) >= 2
                and all(looks_like_term(_normalise_term(c), allow_label=True) and len(c.split()) <= 4 for c in child_plain)
            )
            if member_like:
                draft.plain_members = [_normalise_term(c) for c in child_plain]
            elif child_plain:
                draft.definition = " ".join([draft.definition, *child_plain]).strip()
            for child in child_entries:
                child.parent = draft
                draft.members.append(child)
            if not draft.definition:
                names = [m.term for m in draft.members] + draft.plain_members
                draft.definition = ", ".join(names)
            if not _valid_definition(draft.definition):
                draft = None
            else:
                self.drafts.append(draft)
                self.embedded_sentences(draft.definition, item.line, section, skip_first=True)
        if draft is None:
            self.embedded_sentences(text, item.line, section, skip_first=False)
        return _ItemResult(draft, "" if draft is not None else text, item.line)

    @staticmethod
    def _item_shape(rich: Rich) -> _Found | None:
        if not rich.text.strip():
            return None
        found = _marked(rich, EntryShape.LIST_ITEM)
        if found is not None:
            return found
        first_line = rich.text.split("\n", 1)[0]
        found = _plain(rich.text, EntryShape.LIST_ITEM, rich.marks)
        if found is not None and looks_like_term(_normalise_term(found.raw_term)) and found.raw_term in first_line:
            return found
        sentence = _sentence_definition(rich.text)
        if sentence is not None:
            return _Found(sentence[0], sentence[1], EntryShape.SENTENCE, rule=sentence[2])
        return _marked_subject(rich)

    # ---- tables

    def table(self, block: _Table, section: tuple[str, ...], caption: str, heading: str) -> None:
        header = [_clean(h.text) for h in block.header]
        columns = len(header)
        self._check_rows(block, columns)
        rows = [[_clean(c.text) for c in row] + [""] * (columns - len(row)) for row in block.rows]
        rows = [row[:columns] for row in rows if any(row)]
        if columns < 2 or not rows:
            return
        if self._is_comparison(header, rows, heading, caption):
            self.comparison_table(block, header, rows, section, caption)
        else:
            self.glossary_table(block, header, rows, section, caption, heading)

    def _check_rows(self, block: _Table, columns: int) -> None:
        for line in block.row_lines:
            if not 0 < line <= len(self.source_lines):
                continue
            source = self.source_lines[line - 1].strip()
            cells = _CELL_PIPE.split(source.strip("|")) if source else []
            if source and len(cells) > columns:
                self.warn(line, f"table row has {len(cells)} cells but the header has {columns}; extra cells ignored")

    @staticmethod
    def _is_comparison(header: list[str], rows: list[list[str]], heading: str, caption: str) -> bool:
        first = header[0].casefold().strip()
        items = [_normalise_term(h) for h in header[1:]]
        if not all(items) or any(h.casefold().startswith(_DESCRIPTION_HEADERS + _ALIAS_HEADERS) for h in items):
            return False
        if not all(looks_like_term(i, allow_label=False) for i in items):
            return False
        if first in _ASPECT_HEADERS:
            return True
        context = f"{heading} {caption}".casefold()
        return " vs" in context and sum(1 for i in items if i.casefold() in context) >= 2

    def _table_id(self, header: list[str], items: Sequence[str]) -> str:
        table_id = stable_id("table", self.deck, "|".join(header), "|".join(items))
        counter = 1
        while table_id in self.table_ids:
            counter += 1
            table_id = stable_id("table", self.deck, "|".join(header), "|".join(items), str(counter))
        self.table_ids.add(table_id)
        return table_id

    def comparison_table(
        self, block: _Table, header: list[str], rows: list[list[str]], section: tuple[str, ...], caption: str
    ) -> None:
        items = [_normalise_term(h) for h in header[1:]]
        aspects = [_normalise_term(row[0]) or row[0] for row in rows]
        cells = tuple(tuple(row[i + 1] for row in rows) for i in range(len(items)))
        table_id = self._table_id(header, items)
        self.tables.append(
            StudyTable(table_id, self.deck, _source(self.path, block.line), tuple(items), tuple(aspects), cells, section, True, caption)
        )
        for index, item in enumerate(items):
            parts = [f"{aspect}: {cell}" for aspect, cell in zip(aspects, cells[index], strict=False) if cell]
            draft = _make_draft(item, "; ".join(parts), block.line, section, EntryShape.TABLE_COLUMN)
            if draft is not None and _valid_definition(draft.definition):
                draft.table_id = table_id
                self.drafts.append(draft)

    def glossary_table(
        self, block: _Table, header: list[str], rows: list[list[str]], section: tuple[str, ...], caption: str, heading: str = ""
    ) -> None:
        folded = [h.casefold() for h in header]
        alias_columns = {i for i in range(1, len(header)) if folded[i].startswith(_ALIAS_HEADERS)}
        described = [i for i in range(1, len(header)) if folded[i].startswith(_DESCRIPTION_HEADERS)]
        examples = {i for i in range(1, len(header)) if folded[i].strip(" :") in _EXAMPLE_HEADERS}
        if described:
            description = described[0]
        else:
            # An example column (term | 설명 | 예시) is never the definition, however long its cells.
            candidates = [i for i in range(1, len(header)) if i not in alias_columns | examples] or list(range(1, len(header)))
            description = max(candidates, key=lambda i: sum(len(r[i]) for r in rows))
        items: list[str] = []
        kept_rows: list[list[str]] = []
        drafts: list[_Draft] = []
        # In a table whose other rows name things, a row named like a field label ("Summary" among
        # Counter, Gauge, Histogram) is one of those things too.
        terms_table: bool | None = None  # worked out only when a row reads like a field label
        # `## Namespace (blue, orange, …)` over `| Namespace | 용도 | … | blue |`: a heading that names
        # the kind and lists every row is showing sample instances, not defining terms.
        kind = _normalise_term(header[0]).casefold()
        listed = heading.casefold()
        samples = bool(kind) and kind in listed and all(_normalise_term(r[0]).casefold() in listed for r in rows)
        for row, line in zip(rows, block.row_lines, strict=False):
            raw = row[0]
            items.append(_normalise_term(raw) or raw)
            kept_rows.append(row)
            if raw.rstrip("*").rstrip().endswith("?"):
                self.qa(_normalise_term(raw) + "?", row[description], line, section)  # a question | answer table
                continue
            term = raw
            if not term:
                continue
            parts = [row[description]] + [
                f"{header[i]}: {row[i]}" for i in range(1, len(header)) if i not in (description, *alias_columns) and row[i]
            ]
            definition = "; ".join(p for p in parts if p)
            aliases = [split_term(row[i])[0] for i in sorted(alias_columns) if row[i]]
            draft = None if samples else _make_draft(term, definition, line, section, EntryShape.TABLE_ROW, aliases)
            if draft is None and not samples and _is_label(_normalise_term(term)):
                if terms_table is None:
                    terms_table = len(rows) >= 3 and sum(1 for r in rows if looks_like_term(_normalise_term(r[0]))) >= len(rows) - 1
                if terms_table:
                    draft = _make_draft(term, definition, line, section, EntryShape.TABLE_ROW, aliases, allow_label=True)
            if draft is not None and _valid_definition(row[description]):
                drafts.append(draft)
        table_id = self._table_id(header, items)
        cells = tuple(tuple(row[1:]) for row in kept_rows)
        self.tables.append(
            StudyTable(table_id, self.deck, _source(self.path, block.line), tuple(items), tuple(header[1:]), cells, section, False, caption)
        )
        for draft in drafts:
            draft.table_id = table_id
            self.drafts.append(draft)

    # ---- merge and freeze

    def entries(self) -> tuple[Entry, ...]:
        by_name: dict[str, _Draft] = {}
        kept: list[_Draft] = []
        for draft in self.drafts:
            for twin in draft.twins:
                copy = _Draft(twin, (), draft.definition, draft.line, draft.section, draft.shape, rule=draft.rule)
                copy.table_id = draft.table_id
                self.drafts.append(copy)  # visited later in this same loop
            draft.twins = []
            target = next((by_name[k] for k in map(_merge_key, draft.names) if k in by_name), None)
            if target is None:
                kept.append(draft)
                target = draft
            else:
                _merge(target, draft)
            for name in target.names:
                by_name.setdefault(_merge_key(name), target)
        kept = _merge_restated(kept)
        entries: list[Entry] = []
        for draft in sorted(kept, key=lambda d: d.line):
            member_terms = [m.root().term for m in draft.members] + draft.plain_members
            members = tuple(dict.fromkeys(m for m in member_terms if m and m.casefold() != draft.term.casefold()))
            parent = draft.parent.root() if draft.parent is not None else None
            entries.append(
                Entry(
                    id=Entry.make_id(self.deck, draft.term),
                    term=draft.term,
                    definition=draft.definition,
                    deck=self.deck,
                    source=_source(self.path, draft.line),
                    aliases=draft.aliases,
                    section=draft.section,
                    shape=draft.shape,
                    group=parent.term if parent is not None and parent is not draft else None,
                    members=members,
                    table_id=draft.table_id,
                    rule=draft.rule,
                    confident=draft.rule not in UNSURE_RULES,
                )
            )
        return tuple(entries)


_ACRONYM_NAME = re.compile(r"[A-Z][A-Z0-9-]+s?")


@functools.lru_cache(maxsize=8192)
def _merge_key(name: str) -> str:
    """Names one note spells two ways are one term: `Kube Proxy`/`kube-proxy`, `CronJob`/`CronJobs`.
    An acronym keeps its case: `TAGs` (Technical Advisory Groups) are not image `tags`."""
    if _ACRONYM_NAME.fullmatch(name):
        return "\x00" + name[:-1] if name.endswith("s") else "\x00" + name
    key = loose_key(name)
    if len(key) > 4 and key.endswith(("shes", "ches", "xes", "sses")):
        return key[:-2]
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


def _merge_restated(drafts: list[_Draft]) -> list[_Draft]:
    """One thing defined twice with the same words under a longer and a shorter name
    ("Microservices Architecture: 애플리케이션을 작은 …" and later "Microservices: 애플리케이션을 작은 …")
    is one term; the later draft becomes an alias of the first."""
    by_opening: dict[str, _Draft] = {}
    kept: list[_Draft] = []
    for draft in drafts:
        opening = draft.definition[:_RESTATED_CHARS]
        first = by_opening.get(opening) if len(opening) == _RESTATED_CHARS else None
        if first is not None and _name_extends(first.term, draft.term):
            _merge(first, draft)
            continue
        if len(opening) == _RESTATED_CHARS:
            by_opening.setdefault(opening, draft)
        kept.append(draft)
    return kept


_RESTATED_CHARS = 24


def _name_extends(one: str, other: str) -> bool:
    a, b = one.casefold(), other.casefold()
    return a.startswith(b + " ") or b.startswith(a + " ")


def _merge(target: _Draft, other: _Draft) -> None:
    """Fold a second definition of the same term (or a synonym) into the first one."""
    target.aliases = merge_names(target.term, target.aliases, other.names)
    if other.rule == "acronym:gloss":
        other.merged_into = target  # a gloss of a defined term only adds its other name
        return
    if other.definition and other.definition not in target.definition:
        if target.definition in other.definition:
            target.definition = other.definition
        else:
            target.definition = f"{target.definition} {other.definition}".strip()
        if len(target.definition) > _MAX_DEFINITION_CHARS:
            target.definition = target.definition[: _MAX_DEFINITION_CHARS - 1].rstrip() + "…"
    target.members.extend(m for m in other.members if m not in target.members)
    target.plain_members.extend(m for m in other.plain_members if m not in target.plain_members)
    target.parent = target.parent or other.parent
    target.table_id = target.table_id or other.table_id
    if target.rule in UNSURE_RULES and other.rule not in UNSURE_RULES:
        target.rule = other.rule  # a second, surer shape vouches for the term
    other.merged_into = target


def _source(path: str, line: int) -> SourceRef:
    return SourceRef(path, line)


def humanise_name(stem: str) -> str:
    """`cloud-native-fundamentals` → `Cloud Native Fundamentals` (words already capitalised stay)."""
    words = re.split(r"[\s_\-]+", stem.strip())
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or stem


# Inline content holding none of the characters the enabled inline rules start at (newline,
# escape, code span, emphasis, link/image, autolink/HTML, entity) parses to one text token.
_INLINE_SYNTAX = re.compile(r"[\n\\`*_\[<&]")
_PLAIN_TEXT_SAFE_RULES = frozenset(
    {"text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline", "entity"}
)
# The commonest cells and items, `**Term**`, `**Term**: text` and `text<br>text`, built directly:
# a leading `**…**` around plain text is strong (its opener starts the line; its closer is right-
# flanking when the text ends in a letter or digit, or when a space or nothing follows it).
_LEADING_STRONG = re.compile(r"\*\*(?P<inner>[^\s\\`*_\[<&](?:[^\n\\`*_\[<&]*[^\s\\`*_\[<&])?)\*\*")
_HTML_BREAK = "<br>"


def _simple_inline(content: str) -> list[Token] | None:
    """The inline children of plain text with `<br>` tags and at most a leading strong span, else None."""
    children: list[Token] = []
    rest = content
    strong = _LEADING_STRONG.match(content)
    if strong is not None:
        inner = strong["inner"]
        rest = content[strong.end() :]
        if not (inner[-1].isalnum() or not rest or rest[0] == " "):
            return None
        children.append(Token("strong_open", "strong", 1, markup="**"))
        children.append(Token("text", "", 0, content=inner))
        children.append(Token("strong_close", "strong", -1, markup="**"))
    pieces = rest.split(_HTML_BREAK) if _HTML_BREAK in rest else [rest]
    for index, piece in enumerate(pieces):
        if _INLINE_SYNTAX.search(piece) is not None:
            return None
        if index:
            children.append(Token("html_inline", "", 0, content=_HTML_BREAK))
        if piece:
            children.append(Token("text", "", 0, content=piece))
    return children


def _escaped_split(row: str) -> list[str]:
    """markdown-it's `escapedSplit` (a table row's cells; `\\|` is a literal pipe) without its per-character loop."""
    if "\\" not in row:
        return row.split("|")
    return [cell.replace("\\|", "|") for cell in _CELL_PIPE.split(row)]


def _fast_table_rule() -> Callable[..., bool]:
    """markdown-it's GFM table rule, run with `_escaped_split` (a third of its time on long rows)."""
    rule = _gfm_table
    if "escapedSplit" not in rule.__code__.co_names:
        return rule
    # Same code with its own globals: the library module itself is left untouched.
    scope = {**rule.__globals__, "escapedSplit": _escaped_split}
    return types.FunctionType(rule.__code__, scope, rule.__name__, rule.__defaults__, rule.__closure__)


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core `inline` rule, with plain text and the commonest simple shapes (most table
    cells) not run through the inline parser."""
    md, env = state.md, state.env
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if _INLINE_SYNTAX.search(content) is None:
            if content:
                token.children.append(Token("text", "", 0, content=content))
            continue
        simple = _simple_inline(content)
        if simple is None:
            md.inline.parse(content, md, env, token.children)
        else:
            token.children.extend(simple)


def make_markdown() -> MarkdownIt:
    """The tokenizer notes are read with: CommonMark plus GFM tables."""
    md = MarkdownIt("commonmark").enable("table")
    md.block.ruler.at("table", _fast_table_rule(), {"alt": ["paragraph", "reference"]})
    if set(md.inline.ruler.get_active_rules()) == _PLAIN_TEXT_SAFE_RULES and md.options["html"]:
        md.core.ruler.at("inline", _inline_rule)
    return md


def parse_note(
    text: str, path: str, *, default_name: str, markdown: MarkdownIt | None = None
) -> tuple[Deck, list[Problem]]:
    """Parse one note into a Deck (named by front matter `title`, else `default_name`).

    `markdown` lets a caller parsing many notes reuse one tokenizer (see `make_markdown`).
    """
    front = split_front_matter(text)
    problems: list[Problem] = []
    if front.error:
        problems.append(Problem(path, 1, front.error, Severity.WARNING))
    name = front.title or default_name
    body = front.body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    tokens = (markdown or make_markdown()).parse(body)
    blocks = _TreeBuilder(tokens, front.line_offset).blocks()
    source_lines = [""] * front.line_offset + body.split("\n")
    reader = _NoteReader(name, path, source_lines)
    reader.read(blocks)
    reader.acronym_glosses(front.line_offset)
    entries = _apply_front_matter_aliases(reader.entries(), front.meta.get("aliases"), name)
    problems.extend(reader.problems)
    block = GlossaryBlock()
    corrections: list[str] = []
    if "glossary" in front.meta:
        block, errors = read_glossary_block(front)
        problems.extend(Problem(path, line, message, Severity.WARNING) for line, message in errors)
        fix = _Corrector(name, path, source_lines, front.line_offset, problems, corrections)
        entries = _apply_glossary_block(entries, block, fix)
    deck = Deck(
        name=name,
        path=path,
        entries=entries,
        tables=tuple(reader.tables),
        tags=front.tags,
        sections=tuple(reader.sections),
        quiz_unsure=block.quiz_unsure,
        corrections=tuple(corrections),
    )
    return deck, problems


@dataclass(slots=True)
class _Corrector:
    """What applying a `glossary:` block needs: the note's lines, and where to report."""

    deck: str
    path: str
    source_lines: list[str]
    body_start: int
    problems: list[Problem]
    corrections: list[str]

    def note(self, line: int, message: str) -> None:
        self.corrections.append(f"{self.path}:{line}: glossary: {message}")

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    def find(self, term: str) -> tuple[int, str] | None:
        """Where the note names `term` (a line that starts with it first) and what it says there."""
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", re.IGNORECASE)
        lines = self.source_lines
        texts = [
            (index, _clean(_LINE_MARKER.sub("", lines[index]).replace("**", "").replace("`", "")))
            for index in range(self.body_start, len(lines))
        ]
        hits = [(index, text, match) for index, text in texts if (match := pattern.search(text))]
        if not hits:
            return None
        index, text, match = min(hits, key=lambda hit: (hit[2].start() != 0, hit[0]))
        if match.start() == 0:
            rest = _LEAD_SEPARATOR.sub("", text[match.end() :].strip(), count=1).strip()
            following = next((ln for ln in lines[index + 1 :] if ln.strip()), "")
            text = rest if _valid_definition(rest) else _clean(_LINE_MARKER.sub("", following)) or text
        return index + 1, text


_LINE_MARKER = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")


def _names_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _apply_glossary_block(entries: tuple[Entry, ...], block: GlossaryBlock, fix: _Corrector) -> tuple[Entry, ...]:
    """Front matter `glossary:` corrections: aliases, then exclusions, then inclusions."""
    if block.aliases:
        entries = apply_curated_aliases(entries, {k: list(v) for k, v in block.aliases.items()})
        for term in block.aliases:
            hit = next((e for e in entries if _names_key(term) in map(_names_key, e.names)), None)
            if hit is None:
                fix.warn(block.line, f"glossary: aliases: no entry named {term!r}")
            else:
                fix.note(hit.source.line, f"aliases of {hit.term!r}: {', '.join(hit.aliases)}")
    excluded = {_names_key(n) for n in block.exclude}
    kept: list[Entry] = []
    used: set[str] = set()
    for entry in entries:
        hits = excluded.intersection(map(_names_key, entry.names))
        if hits:
            used.update(hits)
            fix.note(entry.source.line, f"excluded {entry.term!r}")
        else:
            kept.append(entry)
    for name in block.exclude:
        if _names_key(name) not in used:
            fix.warn(block.line, f"glossary: exclude: no entry named {name!r}")
    for term in block.include:
        index = next((i for i, e in enumerate(kept) if _names_key(term) in map(_names_key, e.names)), None)
        if index is not None:
            entry = kept[index]
            kept[index] = dataclasses.replace(entry, confident=True)
            fix.note(entry.source.line, f"included {entry.term!r} (already an entry, rule {entry.rule}; now quizzed)")
            continue
        found = fix.find(term)
        if found is None:
            fix.warn(block.line, f"glossary: include: {term!r} does not occur in the note")
            continue
        line, definition = found
        kept.append(
            Entry(
                id=Entry.make_id(fix.deck, term), term=term, definition=definition, deck=fix.deck,
                source=_source(fix.path, line), shape=EntryShape.FRONT_MATTER, rule="front_matter:include",
            )
        )
        fix.note(line, f"included {term!r}")
    return tuple(sorted(kept, key=lambda e: e.source.line))


def _apply_front_matter_aliases(entries: tuple[Entry, ...], aliases: object, title: str) -> tuple[Entry, ...]:
    """Front matter `aliases`: a mapping term → synonyms, or (Obsidian) synonyms of the title term."""
    if isinstance(aliases, dict):
        mapping = {str(k): [str(v)] if isinstance(v, str) else [str(x) for x in (v or [])] for k, v in aliases.items()}
    elif isinstance(aliases, (list, str)):
        mapping = {title: [aliases] if isinstance(aliases, str) else [str(a) for a in aliases if a is not None]}
    else:
        return entries
    return apply_curated_aliases(entries, mapping)
