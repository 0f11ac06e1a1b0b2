"""Generated Markdown (headings, nested lists, ragged tables, bold, code fences, Hangul, noise,
arrows and other separators, flashcards, Q:/A: pairs, callouts, consecutive bold lines and
front-matter `glossary:` blocks of any type) never makes the parser raise, and whatever it
returns is well formed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.parser import parse_note

WORDS = st.sampled_from(
    ["Pod", "Kubernetes", "HPA", "서비스", "메시", "클라우드(Cloud)", "FaaS(Function as a Service)", "이란", "란",
     "is", "a", ":", " - ", "—", "(기본)", "46%", "**", "`", "#tag", "![[x.png]]", "<br>", "|", "Q.", "A.", "::", "?",
     "\\", "[", "]", "(", ")", "다.", "OCI (Open Container Initiative)", "x" * 70, "->", "=>", "--", "→", "=", ":=",
     "：", "–", "==", "[!note]", "은", "는", "을 말한다", "What's", "Which tool", "and", "&", "docker ps", "-it",
     "manifest.json", "(2000)", "시험 빈출!", "CKA (Certified Kubernetes Administrator)", "volumeBindingMode:"]
)
PHRASE = st.lists(st.one_of(WORDS, st.text(max_size=12)), min_size=0, max_size=10).map(" ".join)


@st.composite
def fragment(draw) -> str:
    kind = draw(st.integers(0, 14))
    phrase = draw(PHRASE)
    other = draw(PHRASE)
    indent = " " * draw(st.sampled_from([0, 2, 3, 4, 6]))
    if kind == 0:
        return f"{'#' * draw(st.integers(1, 7))} {phrase}\n"
    if kind == 1:
        return f"{indent}{draw(st.sampled_from(['-', '*', '1.', '2)']))} **{phrase}**{draw(st.sampled_from([':', ' :', '', ':**', '란']))} {other}\n"
    if kind == 2:
        return f"{indent}- {phrase} : {other}\n"
    if kind == 3:
        cells = draw(st.lists(PHRASE, min_size=1, max_size=4))
        rows = draw(st.lists(st.lists(PHRASE, min_size=0, max_size=5), max_size=4))
        head = "| " + " | ".join(cells) + " |\n"
        sep = draw(st.sampled_from(["| " + " | ".join("---" for _ in cells) + " |\n", ""]))
        return head + sep + "".join("| " + " | ".join(r) + " |\n" for r in rows)
    if kind == 4:
        return f"```{draw(st.sampled_from(['', 'yaml', 'bash']))}\n{phrase}\n{draw(st.sampled_from(['```', '']))}\n"
    if kind == 5:
        return f"{phrase}\n: {other}\n"
    if kind == 6:
        return f"> {phrase}\n> {other}\n"
    if kind == 7:
        return draw(st.sampled_from(["---\n", "---\ntitle: [x\n---\n", "<div>\n", "</div>\n", "\n", "\t- \n"]))
    if kind == 8:
        return f"Q. {phrase}?\nA. {other}\n"
    if kind == 9:
        return f"{phrase}? :: {other}\n"
    if kind == 10:
        return f"> [!{draw(st.sampled_from(['note', 'tip', '', 'x]']))}] {phrase}\n> {other}\n"
    if kind == 11:
        return f"**{phrase}.** {other}\n**{other}**{draw(st.sampled_from(['은', '는', ':', ' ->']))} {phrase}\n"
    if kind == 12:
        return f"{indent}- {phrase}{draw(st.sampled_from([' -> ', ' => ', ' -- ', ' = ', ' := ', '：']))}{other}\n"
    if kind == 13:
        return f"Q{draw(st.integers(0, 12))}{draw(st.sampled_from(['.', ':', ')']))} {phrase}\nA{draw(st.sampled_from(['.', ':']))} {other}\n"
    if kind == 14:
        return f"---\nglossary: {draw(st.sampled_from(['[x]', '3', '{exclude: 3}', '{include: [' + phrase.replace(']', '') + ']}', '{aliases: x}', '{quiz_unsure: maybe}']))}\n---\n"
    return f"{phrase}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragment(), max_size=25).map("".join))
def test_parser_never_raises_on_generated_markdown(text: str) -> None:
    deck, problems = parse_note(text, "fuzz.md", default_name="Fuzz")
    ids = [e.id for e in deck.entries]
    assert len(ids) == len(set(ids))
    for entry in deck.entries:
        assert entry.term and entry.definition
        assert entry.source.line >= 1
    for problem in problems:
        assert problem.line >= 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises_on_arbitrary_text(text: str) -> None:
    parse_note(text, "fuzz.md", default_name="Fuzz")
