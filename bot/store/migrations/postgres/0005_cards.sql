-- 0005 (PostgreSQL): spaced-repetition cards, as SQLite's 0005_cards.sql.
--
-- One difference: SQLite's 0005 reviews the card in a trigger that calls the store's Python
-- function `card_review` (until its 0009 moves that into the store). PostgreSQL cannot call into
-- the bot's process, so the PostgreSQL store has always reviewed the card in Python
-- (`bot.engine.cards.after_answer`) and written it in the answer's transaction
-- (`bot.store.postgres`). Same card, same transaction; no trigger here.

ALTER TABLE answers ADD COLUMN rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 4);
ALTER TABLE posts ADD COLUMN definition_hash TEXT COLLATE "C";

CREATE TABLE cards (
    community       TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL,
    entry_id        TEXT COLLATE "C" NOT NULL,
    state           INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step            INTEGER,
    stability       DOUBLE PRECISION NOT NULL,
    difficulty      DOUBLE PRECISION NOT NULL,
    due             TEXT COLLATE "C" NOT NULL,
    last_review     TEXT COLLATE "C" NOT NULL,
    reps            INTEGER NOT NULL,
    lapses          INTEGER NOT NULL,
    definition_hash TEXT COLLATE "C",
    PRIMARY KEY (community, user_id, entry_id)
);

CREATE INDEX cards_due ON cards (community, user_id, due);
CREATE INDEX cards_entry ON cards (community, entry_id, user_id);

INSERT INTO meta (key, value) SELECT 'cards_stale', '1' WHERE EXISTS (SELECT 1 FROM answers);
