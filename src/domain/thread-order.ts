// The order a conversation is read in: oldest first, but never a notice before the one it answers.
// Ids alone do not give it once replies can arrive before their parents (a parent fetched later
// has a higher id than the replies that waited for it).
import type { NoticeRecord } from '../db/records.ts';

/** The notices of one conversation (given in id order) in id order, but each one that came before the notice it answers moved to just after it. */
export function threadOrder<T extends Pick<NoticeRecord, 'id' | 'inReplyTo'>>(notices: readonly T[]): T[] {
  const present = new Set(notices.map((notice) => notice.id));
  const shown = new Set<number>();
  const waiting = new Map<number, T[]>(); // by the id of the notice they answer, not shown yet
  const ordered: T[] = [];
  const show = (first: T) => {
    // An explicit stack, not recursion: a long chain of replies must not exhaust the call stack.
    const stack = [first];
    while (stack.length > 0) {
      const notice = stack.pop()!;
      shown.add(notice.id);
      ordered.push(notice);
      stack.push(...(waiting.get(notice.id) ?? []).reverse());
      waiting.delete(notice.id);
    }
  };
  for (const notice of notices) {
    const parent = notice.inReplyTo;
    if (parent !== null && parent !== notice.id && present.has(parent) && !shown.has(parent)) waiting.set(parent, [...(waiting.get(parent) ?? []), notice]);
    else show(notice);
  }
  // Notices caught in a loop of replies (which storing prevents) are still shown, last.
  return ordered.length === notices.length ? ordered : [...ordered, ...notices.filter((notice) => !shown.has(notice.id))];
}
