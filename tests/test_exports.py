"""Exports: the Anki package opened as Anki would (a zip holding a SQLite collection) and checked
against the glossary parsed from the default deck; stable GUIDs across a notes edit; long
definitions; the glossary and score CSVs (BOM, formula injection); `studybot export` paths."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot.app.records import ScoreExportRow
from bot.cli import main
from bot.engine.loader import load_notes
from bot.engine.model import Entry, Notes, SourceRef
from bot.engine.scoring import Board
from bot.present.exports import anki_package, glossary_csv, scores_csv, write_export
from bot.present.records import ExportError
from tests.conftest import ALIASES_FILE, DEFAULT_DECK, DEFAULT_NOTES

STAMP = 1_780_000_000.0
FIELD_SEPARATOR = "\x1f"


def open_apkg(data: bytes) -> sqlite3.Connection:
    """The collection inside an `.apkg`, as Anki's importer reads it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        collection = archive.read("collection.anki2")
        assert json.loads(archive.read("media")) == {}
    db = sqlite3.connect(":memory:")
    db.deserialize(collection)
    return db


def notes_by_guid(db: sqlite3.Connection) -> dict[str, tuple[list[str], list[str]]]:
    """guid -> (fields as text, tags)."""
    return {guid: ([html.unescape(f.replace("<br>", "\n")) for f in flds.split(FIELD_SEPARATOR)], tags.split())
            for guid, flds, tags in db.execute("SELECT guid, flds, tags FROM notes")}


def entry_with(term: str, definition: str, *, deck: str = "Deck", section: tuple[str, ...] = ()) -> Entry:
    return Entry(id=Entry.make_id(deck, term), term=term, definition=definition, deck=deck,
                 source=SourceRef("notes/deck.md", 3), section=section)


def test_the_anki_package_has_one_note_per_glossary_entry_with_its_fields_and_tags(default_notes: Notes) -> None:
    entries = default_notes.entries
    db = open_apkg(anki_package(entries, "Cloud Native", timestamp=STAMP))
    notes = notes_by_guid(db)
    assert len(notes) == len(entries) == db.execute("SELECT count(*) FROM cards").fetchone()[0]
    by_term = {fields[0]: (fields, tags) for fields, tags in notes.values()}
    assert len(by_term) == len(entries)
    for entry in entries:
        fields, tags = by_term[entry.term]
        assert fields == [entry.term, ", ".join(entry.aliases), entry.definition,
                          " › ".join((entry.deck, *entry.section)), f"{entry.source.path}:{entry.source.line}"]
        assert "deck::Cloud_Native_Fundamentals" in tags
        if entry.section:
            assert tags[1].startswith("section::") and tags[1].count("::") == len(entry.section)
    hpa = next(fields for fields, _ in notes.values() if "HPA" in fields[1] or "HPA" in fields[0])
    assert any("\uac00" <= ch <= "\ud7a3" for ch in hpa[2]), "the Korean definition survived"
    (models,) = db.execute("SELECT models FROM col").fetchone()
    (model,) = json.loads(models).values()
    assert [f["name"] for f in model["flds"]] == ["Term", "Aliases", "Definition", "Where", "Source"]
    (decks,) = db.execute("SELECT decks FROM col").fetchone()
    assert "Cloud Native" in [d["name"] for d in json.loads(decks).values()]


def test_a_second_export_after_a_notes_edit_keeps_the_guids_of_every_entry_still_there(tmp_path: Path) -> None:
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    deck = notes_dir / DEFAULT_DECK.name
    shutil.copy(DEFAULT_DECK, deck)
    before = load_notes(notes_dir, aliases_file=ALIASES_FILE)
    first = notes_by_guid(open_apkg(anki_package(before.entries, "deck", timestamp=STAMP)))

    edited, dropped = before.entries[3], before.entries[5]
    text = deck.read_text("utf-8")
    assert edited.definition[:30] in text and f"**{dropped.term}**" in text
    text = text.replace(edited.definition[:30], "새로 고친 정의: " + edited.definition[:30], 1)
    text = "\n".join(line for line in text.splitlines() if f"**{dropped.term}**" not in line)
    text += "\n\n- **Brand New Term**: 방금 추가한 용어입니다.\n"
    deck.write_text(text, "utf-8")
    after = load_notes(notes_dir, aliases_file=ALIASES_FILE)
    second = notes_by_guid(open_apkg(anki_package(after.entries, "deck", timestamp=STAMP + 86_400)))

    term_of = {guid: fields[0] for guid, (fields, _) in first.items()}
    again = {guid: fields[0] for guid, (fields, _) in second.items()}
    kept = {guid for guid in term_of if guid in again}
    assert {term_of[g] for g in kept} == {e.term for e in before.entries} - {dropped.term}
    assert all(term_of[g] == again[g] for g in kept), "a GUID moved to another term"
    edited_guid = next(g for g, term in term_of.items() if term == edited.term)
    assert second[edited_guid][0][2].startswith("새로 고친 정의"), "the edit updates the same note"
    assert [again[g] for g in set(again) - kept] == ["Brand New Term"]


def test_five_thousand_character_definitions_export_whole() -> None:
    long = ("쿠버네티스 " * 1000)[:5000]
    entries = [entry_with("Alpha", long), entry_with("Beta <b>", "x & y " * 834 + "z")]
    notes = notes_by_guid(open_apkg(anki_package(entries, "Long", timestamp=STAMP)))
    definitions = sorted(fields[2] for fields, _ in notes.values())
    assert sorted(e.definition for e in entries) == definitions
    assert len(long) == 5000 and len(entries[1].definition) == 5005


def test_a_note_with_five_thousand_character_definitions_still_exports(tmp_path: Path) -> None:
    deck = tmp_path / "long.md"
    deck.write_text("# Long\n\n- **Alpha**: " + "가" * 5000 + "\n- **Beta**: " + "b " * 2500 + "\n", "utf-8")
    status = main(["export", "--notes", str(deck), "--anki", str(tmp_path / "long.apkg"),
                   "--csv", str(tmp_path / "long.csv")])
    assert status == 0
    notes = notes_by_guid(open_apkg((tmp_path / "long.apkg").read_bytes()))
    assert sorted(fields[0] for fields, _ in notes.values()) == ["Alpha", "Beta"]
    assert all(len(fields[2]) >= 1000 for fields, _ in notes.values())


def test_the_glossary_csv_is_utf8_with_bom_and_safe_from_formulas() -> None:
    entries = [entry_with("=HYPERLINK(\"http://x\")", "+1 정의"), entry_with("@SUM", " -2", section=("A", "B")),
               entry_with("＝全角", "\tTAB"), entry_with("쿠버네티스", "컨테이너 오케스트레이션")]
    data = glossary_csv(entries)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["term"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'@SUM", "'＝全角", "쿠버네티스"]
    assert [r["definition"] for r in rows] == ["'+1 정의", "' -2", "'\tTAB", "컨테이너 오케스트레이션"]
    assert rows[1]["section"] == "A › B" and rows[3]["source_line"] == "3"


def test_the_scores_csv_keeps_numbers_and_defuses_names() -> None:
    rows = [ScoreExportRow(Board.DAILY, "42", "=cmd|' /C calc'!A0", 30, 4, 3, 2, 5, False),
            ScoreExportRow(Board.PRACTICE, "43", "민지", 8, 4, 4, 4, 4, True)]
    data = scores_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["board", "user_id", "display_name", "points", "answered", "correct", "streak",
                        "best_streak", "opted_out"]
    assert table[1] == ["daily", "42", "'=cmd|' /C calc'!A0", "30", "4", "3", "2", "5", "0"]
    assert table[2] == ["practice", "43", "민지", "8", "4", "4", "4", "4", "1"]


def test_an_export_to_a_folder_or_a_missing_folder_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        write_export(tmp_path, b"x")
    with pytest.raises(ExportError, match="does not exist"):
        write_export(tmp_path / "nowhere" / "deck.apkg", b"x")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_the_cli_reports_a_folder_path_in_one_line_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["export", "--notes", str(DEFAULT_NOTES), "--anki", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "is a folder" in err


def test_the_cli_writes_an_anki_deck_with_the_name_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "kcna.apkg"
    assert main(["export", "--notes", str(DEFAULT_NOTES), "--anki", str(target), "--deck", "KCNA 공부"]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    (decks,) = open_apkg(target.read_bytes()).execute("SELECT decks FROM col").fetchone()
    assert "KCNA 공부" in [d["name"] for d in json.loads(decks).values()]


def test_the_cli_scores_export_needs_a_community(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--scores", str(tmp_path / "s.csv"), "--db", str(tmp_path / "db.sqlite")]) == 2
    assert "--guild" in capsys.readouterr().err
    assert main(["export", "--scores", str(tmp_path / "s.csv"), "--guild", "discord:7",
                 "--db", str(tmp_path / "db.sqlite")]) == 0
    assert (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbfboard,user_id")


def test_entries_cross_to_the_worker_with_every_field_an_export_uses(default_notes: Notes) -> None:
    from bot.present.exports import decode_entries, encode_entries

    entries = default_notes.entries
    back = decode_entries(encode_entries(entries))
    assert [(e.id, e.term, e.aliases, e.definition, e.deck, e.section, e.source) for e in back] == \
        [(e.id, e.term, e.aliases, e.definition, e.deck, e.section, e.source) for e in entries]
    assert anki_package(back, "d", timestamp=STAMP) == anki_package(entries, "d", timestamp=STAMP)
