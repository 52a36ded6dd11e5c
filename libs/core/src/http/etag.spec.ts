import { describe, expect, it } from 'vitest';
import { acceptsCoding, codedETag, codingOfETag, heldETag, parseETagList } from './etag';

describe('entity tags of compressed answers', () => {
  it('a strong tag gets the coding appended; a weak one stays as it is', () => {
    expect(codedETag('"v3"', 'br')).toBe('"v3-br"');
    expect(codedETag('"v3"', 'gzip')).toBe('"v3-gzip"');
    expect(codedETag('W/"v3"', 'gzip')).toBe('W/"v3"');
  });

  it('codingOfETag names the coding of a tag of ours', () => {
    expect(codingOfETag('"v3-br"')).toBe('br');
    expect(codingOfETag('W/"v3-gzip"')).toBe('gzip');
    expect(codingOfETag('"v3"')).toBeUndefined();
    expect(codingOfETag('"abc-br"')).toBeUndefined();
  });

  it('If-Match and If-None-Match read the version from every coding of the tag', () => {
    expect(parseETagList('"v3-br", "v4-gzip", "v5-deflate", "v6"', 'strong')).toEqual([3, 4, 5, 6]);
    expect(parseETagList('W/"v3-br"')).toEqual([3]);
    expect(parseETagList('W/"v3-br"', 'strong')).toEqual([]);
  });

  it.each(['"v3-zstd"', '"v3-"', '"v3-br-br"', '"v3br"', '"v3-BR"', '"v3-identity"'])(
    'a tag with a coding we never send (%s) names nothing',
    (tag) => {
      expect(parseETagList(tag)).toEqual([]);
      expect(heldETag(tag, 3, 'br, gzip, deflate, zstd, identity')).toBeUndefined();
    },
  );
});

describe('heldETag (If-None-Match)', () => {
  it('returns the tag as the client sent it, so that the 304 names the copy it holds', () => {
    expect(heldETag('"v3-br"', 3, 'gzip, deflate, br')).toBe('"v3-br"');
    expect(heldETag(' "v2-br" ,  "v3-gzip" ', 3, 'gzip')).toBe('"v3-gzip"');
    expect(heldETag('"v3"', 3, 'br')).toBe('"v3"');
    expect(heldETag('"v3"', 3, undefined)).toBe('"v3"');
    expect(heldETag('W/"v3-br"', 3, 'br')).toBe('W/"v3-br"');
    expect(heldETag('*', 3, undefined)).toBe('*');
  });

  it('another version, or no header, matches nothing', () => {
    expect(heldETag('"v2-br", "v4"', 3, 'br')).toBeUndefined();
    expect(heldETag(undefined, 3, 'br')).toBeUndefined();
    expect(heldETag('', 3, 'br')).toBeUndefined();
  });

  it('a compressed copy counts only when this request accepts its coding', () => {
    expect(heldETag('"v3-gzip"', 3, undefined)).toBeUndefined();
    expect(heldETag('"v3-gzip"', 3, 'br')).toBeUndefined();
    expect(heldETag('"v3-gzip"', 3, 'gzip;q=0, br')).toBeUndefined();
    // A cache holding both copies asks with both tags: the one this client can read wins.
    expect(heldETag('"v3-gzip", "v3"', 3, 'identity')).toBe('"v3"');
  });
});

describe('acceptsCoding', () => {
  it.each([
    ['br', 'br', true],
    ['gzip, deflate, br', 'br', true],
    ['GZIP', 'gzip', true],
    ['x-gzip', 'gzip', true],
    ['br;q=0.1', 'br', true],
    ['br;q=0', 'br', false],
    ['br; q=0.000', 'br', false],
    ['*', 'br', true],
    ['*;q=0', 'br', false],
    ['*, br;q=0', 'br', false],
    ['br;q=0, *', 'br', false],
    ['gzip', 'br', false],
    ['', 'br', false],
  ])('%j accepts %s: %s', (header, coding, accepted) => {
    expect(acceptsCoding(header, coding)).toBe(accepted);
  });

  it('no header accepts no coding', () => {
    expect(acceptsCoding(undefined, 'gzip')).toBe(false);
  });
});
