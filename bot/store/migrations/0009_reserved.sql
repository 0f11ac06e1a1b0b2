-- 0009 is taken by another branch's migration; this placeholder keeps the numbers without a gap
-- until that one lands, and is ignored from then on (bot/store/schema.py: load_migrations).
-- Delete this file once the real 0009 is in main.
SELECT 1;
