/** An invoice's entity tag: its SHA-256 (an invoice never changes, so its content is its version). */
export const invoiceETag = (sha256: string): string => `"${sha256}"`;

/** Whether an If-None-Match header names this tag (or `*`), weakly compared (RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((part) => part.trim().replace(/^W\//, '') === etag);
}
