-- 0003: members per score level, so a member's rank needs no count over everyone ahead.
--
-- One row per board, season, period and points value: how many members of that board have
-- exactly those points (opted-out members included, as in `board_sizes`). A rank is then
-- 1 + the members of the higher levels (a sum over at most a few thousand level rows) + the
-- members of the own level ahead by the tie-break (a range of `scores_rank`) - the opted-out
-- members ahead. Kept by the triggers below in the same transaction as each answer. Levels that
-- emptied stay as rows with 0 members; a rebuild of the scores drops them.

CREATE TABLE score_levels (
    guild_id INTEGER NOT NULL,
    board    TEXT    NOT NULL,
    season   INTEGER NOT NULL,
    period   TEXT    NOT NULL,
    points   INTEGER NOT NULL,
    members  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, board, season, period, points)
) WITHOUT ROWID;

INSERT INTO score_levels (guild_id, board, season, period, points, members)
SELECT guild_id, board, season, period, points, count(*)
  FROM scores
 GROUP BY guild_id, board, season, period, points;

CREATE TRIGGER scores_level_new AFTER INSERT ON scores
BEGIN
    INSERT INTO score_levels (guild_id, board, season, period, points, members)
    VALUES (NEW.guild_id, NEW.board, NEW.season, NEW.period, NEW.points, 1)
    ON CONFLICT (guild_id, board, season, period, points) DO UPDATE SET members = members + 1;
END;

-- The answer upsert sets points on every answer; a wrong one leaves them equal and moves nothing.
CREATE TRIGGER scores_level_move AFTER UPDATE OF points ON scores
WHEN NEW.points IS NOT OLD.points
BEGIN
    UPDATE score_levels SET members = members - 1
     WHERE guild_id = OLD.guild_id AND board = OLD.board AND season = OLD.season
       AND period = OLD.period AND points = OLD.points;
    INSERT INTO score_levels (guild_id, board, season, period, points, members)
    VALUES (NEW.guild_id, NEW.board, NEW.season, NEW.period, NEW.points, 1)
    ON CONFLICT (guild_id, board, season, period, points) DO UPDATE SET members = members + 1;
END;
