-- 0009 (PostgreSQL): nothing to do.
--
-- SQLite's 0009 drops the trigger that reviewed cards, now that the store computes each card in
-- Python (`bot.engine.cards.after_answer`) in the answer's transaction. The PostgreSQL store has
-- always done it that way (see 0005), so there is no trigger to drop.
SELECT 1;
