-- Restart-safe delivery of daily posts: SQLite, not process memory, knows which posts still
-- have to be sent and which reveals still have to be drawn on their message.

-- A sender claims an unsent post until this time before sending it, so two processes never
-- both send it; a crashed sender's claim simply expires.
ALTER TABLE posts ADD COLUMN send_claimed_until TEXT;

-- When the revealed answer was drawn on the post's message (or found impossible to draw).
ALTER TABLE posts ADD COLUMN reveal_edited_at TEXT;

-- Reveals made before this migration are taken as drawn: nobody knows which were, and
-- redrawing old messages after an upgrade would be noise.
UPDATE posts SET reveal_edited_at = revealed_at WHERE revealed_at IS NOT NULL;

CREATE INDEX posts_unsent ON posts (posted_at)
    WHERE board = 'daily' AND message_id IS NULL AND revealed_at IS NULL;

CREATE INDEX posts_pending_reveal_edit ON posts (revealed_at)
    WHERE revealed_at IS NOT NULL AND reveal_edited_at IS NULL AND message_id IS NOT NULL;
