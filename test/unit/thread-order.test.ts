// A conversation's reading order: oldest first, but never a notice before the one it answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { threadOrder } from '../../src/domain/thread-order.ts';

const n = (id: number, inReplyTo: number | null) => ({ id, inReplyTo });
const ids = (notices: { id: number }[]) => notices.map((notice) => notice.id);

describe('threadOrder', () => {
  it('keeps a thread whose notices came in order as it is', () => {
    assert.deepEqual(ids(threadOrder([n(1, null), n(2, 1), n(3, 1), n(4, 2)])), [1, 2, 3, 4]);
  });

  it('moves replies that came before their parents to just after them, with their own answers', () => {
    // 5 answers 9, which answers 10 (both fetched later); 6 answers 5; 11 came after all.
    assert.deepEqual(ids(threadOrder([n(5, 9), n(6, 5), n(9, 10), n(10, null), n(11, 5)])), [10, 9, 5, 6, 11]);
  });

  it('starts a branch with a notice whose parent is not on the page', () => {
    assert.deepEqual(ids(threadOrder([n(3, 2), n(4, null), n(5, 3)])), [3, 4, 5]);
  });

  it('still shows notices caught in a loop, last', () => {
    assert.deepEqual(ids(threadOrder([n(1, 2), n(2, 1), n(3, null), n(4, 4)])), [3, 4, 1, 2]);
  });

  it('reads a chain of many thousands without exhausting the stack', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => n(i + 1, i + 2 <= 50_000 ? i + 2 : null));
    const ordered = ids(threadOrder(chain));
    assert.equal(ordered[0], 50_000);
    assert.equal(ordered[49_999], 1);
  });
});
