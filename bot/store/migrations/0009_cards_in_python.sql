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
