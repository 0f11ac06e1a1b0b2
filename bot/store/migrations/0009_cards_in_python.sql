-- 0009: the card of an answer is computed in Python, in the answer's transaction, not by a trigger.
--
-- Until now the trigger `answers_review_card` (0005) called the SQL function `card_review`
-- seven times per answer (once per column of the new card). The store now does the same work
-- itself: in the transaction that inserts the answer it reads the member's card of the post's
-- entry, computes the next one with `bot.engine.cards.after_answer` (pure, so any backend can
-- call it) and upserts it (`bot.store.store._record_answer`). Answer and card still commit or
-- roll back together; a connection without the store's code (a plain `sqlite3` shell) can now
-- insert an answer without its card, which `studybot cards rebuild` repairs.
--
-- The cards themselves do not change: the same reviews in the same order give the same rows.

DROP TRIGGER answers_review_card;

-- The daily pick weighs a sample of every entry's cards by their predicted recall, which needs
-- each card's last review and stability: with both in `cards_entry` it reads the index alone
-- instead of looking every sampled card up in the table (`Store.entry_memory`). The price is that
-- a review of an existing card now also rewrites its entry in this index (same leaf page).
DROP INDEX cards_entry;
CREATE INDEX cards_entry ON cards (community, entry_id, user_id, last_review, stability);

-- How many members of a community have any card, kept as cards are made (like `entry_reach`), so
-- the daily pick reads one row instead of probing every member's cards. A member counts from
-- their first card on; a rebuild of the cards empties and refills it.
CREATE TABLE card_holders (
    community TEXT    PRIMARY KEY,
    members   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO card_holders (community, members)
SELECT community, count(DISTINCT user_id) FROM cards GROUP BY community;

CREATE TRIGGER cards_count_holders AFTER INSERT ON cards
WHEN NOT EXISTS (SELECT 1 FROM cards c WHERE c.community = NEW.community AND c.user_id = NEW.user_id
                    AND c.entry_id <> NEW.entry_id)
BEGIN
    INSERT INTO card_holders (community, members) VALUES (NEW.community, 1)
    ON CONFLICT (community) DO UPDATE SET members = members + 1;
END;
