import { ValidationError } from '@rampart/errors';
import { encodePageToken, page, pageRequest } from '@rampart/store';

describe('paging', () => {
  it('defaults and bounds the page size', () => {
    expect(pageRequest({ pageSize: 0, pageToken: '' }, 20, 100)).toEqual({ size: 20 });
    expect(() => pageRequest({ pageSize: 101, pageToken: '' }, 20, 100)).toThrow(ValidationError);
    // Both problems at once, each naming its field: the call must throw, and say both.
    let thrown: unknown;
    try {
      pageRequest({ pageSize: 101, pageToken: 'forged' }, 20, 100);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).violations.map((v) => v.field)).toEqual(['page_size', 'page_token']);
  });

  it('hands out a token only when there is more, and reads it back', () => {
    const fetched = ['a', 'b', 'c'];
    expect(page(fetched, 3, (x) => x)).toEqual({ items: ['a', 'b', 'c'], nextPageToken: '' });
    const { items, nextPageToken } = page(fetched, 2, (x) => x);
    expect(items).toEqual(['a', 'b']);
    expect(nextPageToken).toBe(encodePageToken('b'));
    expect(pageRequest({ pageSize: 2, pageToken: nextPageToken }, 20, 100)).toEqual({ size: 2, after: 'b' });
  });
});
