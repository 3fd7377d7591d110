import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError } from '../../src/errors.ts';
import { PAGE_SIZE, readKeysetPage } from '../../src/domain/paging.ts';
import type { PageRequest } from '../../src/db/timelines.ts';

// A list of ids 1..count, newest first, read the way the repositories read theirs.
function listOf(count: number, seen: PageRequest[] = []) {
  return async (page: PageRequest) => {
    seen.push(page);
    const ids = Array.from({ length: count }, (_, i) => count - i).filter((id) => page.before === undefined || id < page.before);
    return ids.slice(0, page.limit).map((id) => ({ id }));
  };
}

describe('keyset paging', () => {
  it('asks for one row more than a page and gives the cursor of the page’s last item when there is more', async () => {
    const seen: PageRequest[] = [];
    const first = await readKeysetPage(undefined, listOf(45, seen), (item) => item.id, 'past the end');
    assert.deepEqual(seen, [{ before: undefined, limit: PAGE_SIZE + 1 }]);
    assert.equal(first.items.length, PAGE_SIZE);
    assert.equal(first.olderBefore, 26);
    assert.equal(first.isContinuation, false);
    const last = await readKeysetPage(6, listOf(45), (item) => item.id, 'past the end');
    assert.deepEqual(last.items.map((item) => item.id), [5, 4, 3, 2, 1]);
    assert.equal(last.olderBefore, undefined);
    assert.equal(last.isContinuation, true);
  });

  it('has no cursor when exactly one page is left', async () => {
    const page = await readKeysetPage(undefined, listOf(PAGE_SIZE), (item) => item.id, 'past the end');
    assert.equal(page.items.length, PAGE_SIZE);
    assert.equal(page.olderBefore, undefined);
  });

  it('answers an empty first page, but 404 with the list’s own words for an empty later one', async () => {
    assert.deepEqual((await readKeysetPage(undefined, listOf(0), (item) => item.id, 'x')).items, []);
    await assert.rejects(readKeysetPage(1, listOf(3), (item) => item.id, 'There is nobody further in this list.'), (error) => error instanceof NotFoundError && error.message === 'There is nobody further in this list.');
  });
});
