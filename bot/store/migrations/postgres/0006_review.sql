-- 0006 (PostgreSQL): review sessions, as SQLite's 0006_review.sql.

ALTER TABLE posts ADD COLUMN review INTEGER NOT NULL DEFAULT 0 CHECK (review IN (0, 1));
ALTER TABLE communities ADD COLUMN review_counts INTEGER NOT NULL DEFAULT 0
    CHECK (review_counts IN (0, 1));
