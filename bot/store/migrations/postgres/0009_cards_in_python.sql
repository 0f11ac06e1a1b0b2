-- 0009 (PostgreSQL): as SQLite's 0009_cards_in_python.sql.
--
-- SQLite's 0009 drops the trigger that reviewed cards, now that the store computes each card in
-- Python (`bot.engine.cards.after_answer`) in the answer's transaction. The PostgreSQL store has
-- always done it that way (see 0005), so there is no trigger to drop. The rest is the same:
-- `cards_entry` carries each card's last review and stability for the daily pick, and
-- `card_holders` counts the members of a community with any card. Its trigger is per statement
-- here (the store writes a batch's cards with one statement, and a row trigger of PostgreSQL runs
-- after the whole statement, so it could not tell a member's first card from a second one made
-- in the same statement): a member counts when every card they have came with this statement.

DROP INDEX cards_entry;
CREATE INDEX cards_entry ON cards (community, entry_id, user_id, last_review, stability);

CREATE TABLE card_holders (
    community TEXT COLLATE "C" PRIMARY KEY,
    members   INTEGER NOT NULL
);

INSERT INTO card_holders (community, members)
SELECT community, count(DISTINCT user_id) FROM cards GROUP BY community;

CREATE FUNCTION cards_count_holders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO card_holders (community, members)
    SELECT n.community, count(DISTINCT n.user_id)
      FROM new_cards n
     WHERE NOT EXISTS (SELECT 1 FROM cards c
                        WHERE c.community = n.community AND c.user_id = n.user_id
                          AND NOT EXISTS (SELECT 1 FROM new_cards x
                                           WHERE x.community = c.community AND x.user_id = c.user_id
                                             AND x.entry_id = c.entry_id))
     GROUP BY n.community
    ON CONFLICT (community) DO UPDATE SET members = card_holders.members + excluded.members;
    RETURN NULL;
END $$;

CREATE TRIGGER cards_count_holders AFTER INSERT ON cards REFERENCING NEW TABLE AS new_cards
    FOR EACH STATEMENT EXECUTE FUNCTION cards_count_holders();
