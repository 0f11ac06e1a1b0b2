-- 0007 (PostgreSQL): what the group is forgetting, as SQLite's 0007_forgetting.sql; the trigger
-- counting an entry's members on each new card is PL/pgSQL.

CREATE TABLE entry_reach (
    community TEXT COLLATE "C" NOT NULL,
    entry_id  TEXT COLLATE "C" NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (community, entry_id)
);

INSERT INTO entry_reach (community, entry_id, members)
SELECT community, entry_id, count(*) FROM cards GROUP BY community, entry_id;

CREATE FUNCTION cards_count_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO entry_reach (community, entry_id, members)
    VALUES (NEW.community, NEW.entry_id, 1)
    ON CONFLICT (community, entry_id) DO UPDATE SET members = entry_reach.members + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER cards_count_reach AFTER INSERT ON cards FOR EACH ROW
    EXECUTE FUNCTION cards_count_reach();

ALTER TABLE posts ADD COLUMN pick_reason TEXT COLLATE "C";
