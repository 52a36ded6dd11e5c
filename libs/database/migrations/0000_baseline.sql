-- Baseline: the schema starts empty. Each feature declares its tables in its own *.schema.ts and
-- `npm run db:generate -- --name <change>` writes the next migration after this one.
SELECT 1;
