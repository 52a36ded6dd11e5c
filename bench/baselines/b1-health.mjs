// B1: plain Fastify answering `/health/live` with the API's body (LIVE_BODY). The ceiling for S1.
import { createServer, listen } from './common.mjs';

await listen(createServer());
