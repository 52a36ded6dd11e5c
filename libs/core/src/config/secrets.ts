/**
 * Values that people paste from examples. A secret that contains one of these is refused in production:
 * it is either the example itself or obviously not random.
 */
const PLACEHOLDER_MARKERS = [
  'change-me',
  'changeme',
  'change_me',
  'placeholder',
  'replace-me',
  'example',
  'secret',
  'password',
  'xxxx',
  'todo',
];

export function isPlaceholderSecret(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return true;
  const lower = value.toLowerCase();
  return PLACEHOLDER_MARKERS.some((marker) => lower.includes(marker)) || new Set(lower).size < 4;
}
