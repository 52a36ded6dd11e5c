/** Stable `type` URIs, one per kind of error. Clients may switch on them; never change one. */
const BASE = 'https://errors.example.dev';

export const ProblemType = {
  blank: 'about:blank',
  validation: `${BASE}/validation`,
  malformedBody: `${BASE}/malformed-body`,
  /** Parsed, but deeper, wider or longer than the route accepts (see JSON limits). */
  bodyLimits: `${BASE}/body-limits`,
  requestTimeout: `${BASE}/request-timeout`,
  badRequest: `${BASE}/bad-request`,
  payloadTooLarge: `${BASE}/payload-too-large`,
  unsupportedMediaType: `${BASE}/unsupported-media-type`,
  notFound: `${BASE}/not-found`,
  conflict: `${BASE}/conflict`,
  unavailable: `${BASE}/service-unavailable`,
  timeout: `${BASE}/timeout`,
  /** The caller already holds as many event streams as one user may (server-sent events). */
  tooManyStreams: `${BASE}/too-many-streams`,
  internal: `${BASE}/internal`,
} as const;

export type ProblemTypeUri = (typeof ProblemType)[keyof typeof ProblemType] | (string & {});
