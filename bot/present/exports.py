"""Exports of the group's notes and scores: an Anki package, the glossary as CSV, the scores as CSV.

* **Anki** (`anki_package`): one note per glossary entry with the fields Term, Aliases,
  Definition, Where (deck › section) and Source (file:line), written with genanki. Each note's
  GUID is derived from the entry's stable id (`Entry.make_id`: deck and term), never from its
  text, so importing a newer export updates the notes already in Anki (Anki matches notes by
  GUID) instead of adding copies; the note type's id is a constant for the same reason. Tags:
  `deck::<deck>` and `section::<section path>` (spaces become `_`, Anki tags have none).
  The collection is built in an in-memory SQLite database and zipped with deflate, with no
  temporary file (genanki's own `write_to_file` leaves its temporary database behind).
* **CSV** (`glossary_csv`, `scores_csv`): UTF-8 with a byte-order mark, so spreadsheet programs
  read Hangul right; every text cell that a spreadsheet would run as a formula is prefixed
  with `'` (`csv_cell`).
* `write_export` writes the bytes to a path and turns every way that can fail into one sentence.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import json
import os
import sqlite3
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import genanki

from bot.app.records import ScoreExportRow
from bot.engine.model import Entry, SourceRef
from bot.present.records import DEFAULT_DECK, ExportError

__all__ = ["DEFAULT_DECK", "ExportError", "anki_package", "glossary_csv", "scores_csv", "write_export"]

# Fixed forever: Anki identifies the note type by this id; a new id would make a second type.
NOTE_MODEL_ID = 1_733_391_215
NOTE_MODEL_NAME = "studybot glossary entry"
FIELDS = ("Term", "Aliases", "Definition", "Where", "Source")
GLOSSARY_COLUMNS = ("id", "term", "aliases", "definition", "deck", "section", "source_path", "source_line")
SCORE_COLUMNS = ("board", "user_id", "display_name", "points", "answered", "correct", "streak", "best_streak",
                 "opted_out")
# What makes a spreadsheet treat a cell as a formula (OWASP's list, plus the full-width signs
# some input methods type, which spreadsheets in CJK locales also accept).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

_CARD_CSS = """.card { font-family: "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif;
  font-size: 20px; text-align: left; color: #1f2933; background: white; }
.aliases { color: #6b7785; font-size: 16px; }
.where, .source { color: #6b7785; font-size: 14px; margin-top: 8px; }"""

_FRONT = '<div class="term">{{Term}}</div>{{#Aliases}}<div class="aliases">{{Aliases}}</div>{{/Aliases}}'
_BACK = ('{{FrontSide}}<hr id="answer"><div class="definition">{{Definition}}</div>'
         '<div class="where">{{Where}}</div><div class="source">{{Source}}</div>')


def note_model() -> genanki.Model:
    """The Anki note type every export uses (same id and fields each time)."""
    return genanki.Model(
        NOTE_MODEL_ID, NOTE_MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Term → definition", "qfmt": _FRONT, "afmt": _BACK}],
        css=_CARD_CSS, sort_field_index=0,
    )


def note_guid(entry_id: str) -> str:
    """The Anki GUID of an entry's note: a hash of its stable id only."""
    return genanki.guid_for("studybot", entry_id)


def deck_id(name: str) -> int:
    """A stable Anki deck id for a deck name (so re-imports land in the same deck)."""
    return int.from_bytes(hashlib.sha256(f"studybot deck:{name}".encode()).digest()[:6], "big") | (1 << 40)


def tag(text: str) -> str:
    """An Anki tag of free text: whitespace runs become `_`, `::` stays the hierarchy mark."""
    return "_".join(text.replace('"', "").split()) or "_"


def entry_tags(entry: Entry) -> list[str]:
    tags = [f"deck::{tag(entry.deck)}"]
    if entry.section:
        tags.append("section::" + "::".join(tag(part.replace("::", ":")) for part in entry.section))
    return tags


def where(entry: Entry) -> str:
    """"deck › section › subsection"."""
    return " › ".join((entry.deck, *entry.section))


def _field(text: str) -> str:
    """Anki fields are HTML: escape the text and keep its line breaks."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def entry_note(entry: Entry, model: genanki.Model) -> genanki.Note:
    fields = [entry.term, ", ".join(entry.aliases), entry.definition, where(entry),
              f"{entry.source.path}:{entry.source.line}"]
    return genanki.Note(model=model, fields=[_field(f) for f in fields], guid=note_guid(entry.id),
                        tags=entry_tags(entry))


def anki_package(entries: Sequence[Entry], deck_name: str, *, timestamp: float) -> bytes:
    """The `.apkg` of `entries` in one Anki deck called `deck_name`. `timestamp` (seconds since
    the epoch, from the caller's clock) stamps the notes, so the bytes depend only on the inputs."""
    model = note_model()
    deck = genanki.Deck(deck_id(deck_name), deck_name)
    for entry in entries:
        deck.add_note(entry_note(entry, model))
    package = genanki.Package(deck)
    db = sqlite3.connect(":memory:")
    try:
        package.write_to_db(db.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        db.commit()
        collection = db.serialize()
    finally:
        db.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")
    return buffer.getvalue()


ENCODE_CHUNK = 200  # entries per json.dumps call: a short hold of the GIL each


def encode_entries(entries: Sequence[Entry]) -> bytes:
    """Entries as compact JSON for the worker process, in chunks: pickling 10,000 `Entry`
    dataclasses would hold the GIL of the bot's process for about 0.1 s in one call, and this
    runs on a thread of it. The worker turns them back with `decode_entries`."""
    parts = []
    for start in range(0, len(entries), ENCODE_CHUNK):
        chunk = [(e.id, e.term, e.aliases, e.definition, e.deck, e.section, e.source.path, e.source.line)
                 for e in entries[start:start + ENCODE_CHUNK]]
        parts.append(json.dumps(chunk, ensure_ascii=False)[1:-1])
    return ("[" + ",".join(parts) + "]").encode()


def decode_entries(data: bytes) -> list[Entry]:
    """The entries `encode_entries` wrote (the fields an export uses)."""
    return [Entry(id=entry_id, term=term, definition=definition, deck=deck, source=SourceRef(path, line),
                  aliases=tuple(aliases), section=tuple(section))
            for entry_id, term, aliases, definition, deck, section, path, line in json.loads(data)]


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: text starting like a formula (also after
    leading spaces) gets a `'` in front. Numbers stay numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.lstrip(" ")[:1] in _FORMULA_STARTS else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def glossary_csv(entries: Sequence[Entry]) -> bytes:
    """The glossary as CSV: UTF-8 with BOM, aliases joined by `; `, section by ` › `."""
    return _csv(GLOSSARY_COLUMNS, ((e.id, e.term, "; ".join(e.aliases), e.definition, e.deck,
                                    " › ".join(e.section), e.source.path, e.source.line) for e in entries))


def scores_csv(rows: Sequence[ScoreExportRow]) -> bytes:
    """Everyone's scores (all time, this season, per board) as CSV: UTF-8 with BOM."""
    return _csv(SCORE_COLUMNS, ((r.board.value, r.user_id, r.display_name, r.points, r.answered, r.correct,
                                 r.streak, r.best_streak, r.opted_out) for r in rows))


def write_export(path: Path, data: bytes) -> Path:
    """Write `data` to `path` (its folder must exist) through a temporary file in the same
    folder, so a failed write leaves no half file. Raises ExportError with one sentence."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name, such as {path / 'studybot.apkg'}")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
