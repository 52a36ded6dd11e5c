import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads every feature's `*.schema.ts` and writes SQL migrations that are committed and
// applied at startup (see libs/database). `npm run db:generate -- --name <what>` after a schema change.
export default defineConfig({
  dialect: 'postgresql',
  schema: './libs/*/src/**/*.schema.ts',
  out: './libs/database/migrations',
  strict: true,
  verbose: true,
});
