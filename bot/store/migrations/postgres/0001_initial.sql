-- 0001 (PostgreSQL): nothing to do.
--
-- PostgreSQL support began with the community schema of migration 0004, so no PostgreSQL
-- database ever held the guild-keyed tables of SQLite's 0001_initial.sql; 0004 creates the schema
-- as SQLite has it after its 0001-0004. The file exists so both dialects number their
-- migrations alike and a PostgreSQL database's version means the same as a SQLite file's.
SELECT 1;
