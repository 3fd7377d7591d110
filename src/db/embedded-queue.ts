// Keeps each connection's extended-protocol batch whole on the embedded database.
//
// @electric-sql/pglite-socket serves every connection through one PGlite session and queues the
// frontend messages of all connections one by one. It keeps a connection's messages together only
// inside an SQL transaction. But a parameterised query is a batch (Parse, Bind, Describe, Execute,
// Sync) whose unnamed statement lives in the session until Sync: when a batch arrives in several
// pieces, another connection's Parse or simple Query runs in between, and the first connection
// binds a statement that is gone ("unnamed prepared statement does not exist") or, worse, someone
// else's. Upstream: electric-sql/pglite issue 1046. Until a release fixes it, the queue's scheduler
// is replaced on our server instance by one that also holds a connection's batch together until its
// Sync, and that never stalls when a query fails or its connection goes away.
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

type QueuedMessage = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
};

type QueryQueue = {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
};

// Frontend message types that open or continue an extended-protocol batch; Sync ('S') ends it.
// A simple Query ('Q') stands alone, as does anything else (startup, Terminate).
const BATCH_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** Replaces the socket server's message scheduler with one that keeps each connection's batches whole. */
export function keepProtocolBatchesWhole(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function' || typeof queue.clearTransactionIfNeeded !== 'function') {
    throw new Error('@electric-sql/pglite-socket changed its query queue; check keepProtocolBatchesWhole against the new version');
  }
  let batchOpen = false;
  const gone = new Set<number>(); // connections that closed; one may still own the session

  // The owner of the session went away in the middle of a batch or a transaction: end them for it.
  async function releaseAbandonedSession(): Promise<void> {
    if (queue.lastHandlerId === null || !gone.has(queue.lastHandlerId)) return;
    if (batchOpen) await queue.db.runExclusive(() => queue.db.execProtocolRawStream(SYNC, { onRawData: () => {} }));
    if (queue.db.isInTransaction()) await queue.db.exec('ROLLBACK');
    batchOpen = false;
    queue.lastHandlerId = null;
  }

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        await releaseAbandonedSession();
        gone.clear(); // nothing runs now, so no closed connection can own the session any more
        let next: QueuedMessage | undefined;
        if (this.lastHandlerId !== null && (batchOpen || this.db.isInTransaction())) {
          // The session belongs to one connection until its batch or transaction ends.
          const index = this.queue.findIndex((item) => item.handlerId === this.lastHandlerId);
          if (index === -1) break; // its next message has not arrived yet; enqueue calls us again
          next = this.queue.splice(index, 1)[0];
        } else {
          next = this.queue.shift();
        }
        if (!next) break;
        const message = next;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(message.message, {
              onRawData: (data) => {
                bytes += data.length;
                message.onData(data);
              },
            }),
          );
        } catch (error) {
          message.reject(error);
          continue; // one failed message must not stop everyone else's
        }
        this.lastHandlerId = message.handlerId;
        batchOpen = BATCH_MESSAGES.has(message.message[0] ?? 0);
        message.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  // Called when a connection closes (after its queued messages were dropped).
  queue.clearTransactionIfNeeded = async (handlerId: number) => {
    gone.add(handlerId);
    await queue.processQueue();
  };
}
