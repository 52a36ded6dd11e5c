import type { SecurityHeadersOptions } from '@nestjs/common';
import { resolveSecurityHeaders } from '@nestjs/core/security/security-headers';

/**
 * The API's security headers: helmet's defaults (through Nest's built-in `useSecurityHeaders`) with a CSP that
 * allows nothing, since the API serves JSON only.
 */
export const SECURITY_HEADER_OPTIONS: SecurityHeadersOptions = {
  contentSecurityPolicy: {
    directives: {
      'default-src': ["'none'"],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * The same headers as `[name, value]` pairs, for the answers written below Nest's request hook: Node's HTTP
 * parser errors (written to the socket) and the router's own errors. Resolved by the same Nest function as
 * `useSecurityHeaders`, so the two cannot drift apart.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> =
  resolveSecurityHeaders(SECURITY_HEADER_OPTIONS).headers;
