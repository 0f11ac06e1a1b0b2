-- 0005: spaced-repetition cards, one per member per glossary entry, kept with every answer.
--
-- A card is FSRS's memory model of one member for one entry (`bot.engine.cards`): state
-- (1 learning, 2 review, 3 relearning), learning step, stability, difficulty, when it is due,
-- the last review, how many reviews and lapses, and the hash of the definition the member last
-- reviewed it on (from the post's snapshot), so a changed note can be noticed.
--
-- Cards are derived data, like the scores: the trigger at the end of this file reviews the card
-- of the answer's entry in the same transaction as the answer's INSERT. FSRS is Python, so the
-- trigger calls the SQL function `card_review(field, <card before>, correct, rating, time)`,
-- which every connection of the store registers (a connection without it cannot insert answers,
-- rather than silently skip a card). It is called once per column of the new card; the function
-- computes the review once and answers the other columns from a one-entry memo.
--
-- `answers.rating` is the rating a member gave a self-rated flashcard (1 Again .. 4 Easy);
-- NULL for graded answers, whose rating follows from `correct`. `posts.definition_hash` is the
-- fingerprint of the entry's definition when the question was asked.
--
-- Existing answers get their cards from the store right after this migration (`cards_stale` in
-- meta asks for that rebuild; the rebuild removes it in its own transaction).

ALTER TABLE answers ADD COLUMN rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 4);
ALTER TABLE posts ADD COLUMN definition_hash TEXT;

CREATE TABLE cards (
    community       TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    entry_id        TEXT    NOT NULL,
    state           INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step            INTEGER,
    stability       REAL    NOT NULL,
    difficulty      REAL    NOT NULL,
    due             TEXT    NOT NULL,
    last_review     TEXT    NOT NULL,
    reps            INTEGER NOT NULL,
    lapses          INTEGER NOT NULL,
    definition_hash TEXT,
    PRIMARY KEY (community, user_id, entry_id)
) WITHOUT ROWID;

-- A member's next due card is the first row of this range.
CREATE INDEX cards_due ON cards (community, user_id, due);
-- The daily pick reads every member's card of one entry.
CREATE INDEX cards_entry ON cards (community, entry_id);

INSERT INTO meta (key, value) SELECT 'cards_stale', '1' WHERE EXISTS (SELECT 1 FROM answers);

CREATE TRIGGER answers_review_card AFTER INSERT ON answers
BEGIN
    INSERT INTO cards (community, user_id, entry_id, state, step, stability, difficulty, due,
                       reps, lapses, last_review, definition_hash)
    SELECT NEW.community, NEW.user_id, p.entry_id,
           card_review('state', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('step', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('stability', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('difficulty', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('due', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('reps', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           card_review('lapses', c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses,
                       NEW.correct, NEW.rating, NEW.answered_at),
           NEW.answered_at, p.definition_hash
      FROM posts p
      LEFT JOIN cards c
        ON c.community = NEW.community AND c.user_id = NEW.user_id AND c.entry_id = p.entry_id
     WHERE p.post_id = NEW.post_id AND p.entry_id IS NOT NULL
        ON CONFLICT (community, user_id, entry_id) DO UPDATE SET
           state = excluded.state, step = excluded.step, stability = excluded.stability,
           difficulty = excluded.difficulty, due = excluded.due, reps = excluded.reps,
           lapses = excluded.lapses, last_review = excluded.last_review,
           definition_hash = coalesce(excluded.definition_hash, definition_hash);
END;
