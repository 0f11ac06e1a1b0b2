-- 0006: review sessions: posts that review a card, and whether a community counts them.
--
-- A review (`bot.app.review`) is a personal post like a /quiz question (board 'practice',
-- owner only) marked `review = 1`. Its answers are stored with board 'review', which no
-- leaderboard or stats line reads, unless the community turned `review_counts` on: then they go
-- on the practice board like any /quiz answer. The answer statement decides this per answer
-- (`bot.store.store._RECORD_ANSWER`), so turning the setting on or off never rewrites history.

ALTER TABLE posts ADD COLUMN review INTEGER NOT NULL DEFAULT 0 CHECK (review IN (0, 1));
ALTER TABLE communities ADD COLUMN review_counts INTEGER NOT NULL DEFAULT 0
    CHECK (review_counts IN (0, 1));
