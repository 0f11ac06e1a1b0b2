-- 0007: what the group is forgetting, for the daily pick.
--
-- `entry_reach` counts, per community and entry, the members who have a card for it (who have
-- studied it), kept by the trigger below as cards are made, so the daily pick needs no count
-- over every member's cards. A rebuild of the cards empties and refills it.
-- `posts.pick_reason` keeps why a daily question was chosen (JSON, see `bot.app.daily`), so the
-- reveal can say it however much later it comes.

CREATE TABLE entry_reach (
    community TEXT    NOT NULL,
    entry_id  TEXT    NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (community, entry_id)
) WITHOUT ROWID;

INSERT INTO entry_reach (community, entry_id, members)
SELECT community, entry_id, count(*) FROM cards GROUP BY community, entry_id;

CREATE TRIGGER cards_count_reach AFTER INSERT ON cards
BEGIN
    INSERT INTO entry_reach (community, entry_id, members)
    VALUES (NEW.community, NEW.entry_id, 1)
    ON CONFLICT (community, entry_id) DO UPDATE SET members = members + 1;
END;

ALTER TABLE posts ADD COLUMN pick_reason TEXT;
