// The chat bot's one job: send one message to one address. Its queue is ordered by address (each
// address gets its messages one at a time, in order) and worked only while the bot is online, so
// messages wait in Postgres through outages of the XMPP server or the worker. A message not
// delivered within a day is dropped with a log line; the per-address limit holds the rest back.
import type { DomainContext, JobAttempt, JobHandler } from '../domain/context.ts';
import { LoggedJobFailure } from '../domain/context.ts';
import { issueImConfirmation } from '../domain/im-addresses.ts';
import { imNoticeFacts } from '../domain/im-delivery.ts';
import { IM_SEND_JOB } from '../domain/jobs.ts';
import { countAttempt, forgiveAttempt } from '../domain/login-attempts.ts';
import type { JobDefinition } from '../jobs/queue.ts';
import { confirmationMessage, noticeMessage } from './messages.ts';

/** What sends a chat message (the bot's connection): resolves once the server has it. */
export type ChatSender = { sendChat(to: string, body: string): Promise<void> };

const DAY_MS = 24 * 3600 * 1000;
// Short retries: most are messages held back by the per-address limit, whose minute ends soon;
// while the server is away the queue is not worked at all, so retries do not pile up meanwhile.
const RETRY_SECONDS = 5;
const MAX_RETRY_DELAY_SECONDS = 15;

// The words of the message a job carries, or undefined when there is nothing to send any more.
async function compose(ctx: DomainContext, data: Record<string, unknown>, jid: string): Promise<string | undefined> {
  switch (data.kind) {
    case 'confirm': {
      const facts = await issueImConfirmation(ctx, Number(data.userId), jid);
      return facts && confirmationMessage(ctx.config.siteName, facts, jid);
    }
    case 'notice': {
      const facts = await imNoticeFacts(ctx, Number(data.userId), jid, Number(data.noticeId));
      return facts && noticeMessage(facts);
    }
    case 'text':
      return typeof data.body === 'string' ? data.body : undefined;
    default:
      return undefined;
  }
}

function sendHandler(sender: ChatSender): JobHandler {
  return async (ctx, data, attempt: JobAttempt) => {
    const jid = String(data.jid);
    const queuedAt = Number(data.queuedAt);
    if (!(Date.now() - queuedAt < DAY_MS) || attempt.retryCount >= attempt.retryLimit) {
      attempt.logger.warn({ jid, kind: data.kind, queuedAt: new Date(queuedAt).toISOString(), attempts: attempt.retryCount + 1 }, 'chat message dropped: not delivered within a day');
      return;
    }
    const key = `im-out:${jid}`;
    const count = await countAttempt(ctx, key, 60_000);
    if (count.hits > ctx.config.xmppSendPerMinute) {
      await forgiveAttempt(ctx, key);
      attempt.logger.info({ jid, until: count.resetAt.toISOString() }, 'chat message held back: the address has had its messages for this minute');
      throw new LoggedJobFailure('per-address limit');
    }
    const body = await compose(ctx, data, jid);
    if (body === undefined) return forgiveAttempt(ctx, key);
    await sender.sendChat(jid, body);
  };
}

/** The chat job, sending through `sender`. */
export function imJobDefinitions(sender: ChatSender): Record<string, JobDefinition> {
  return {
    [IM_SEND_JOB]: {
      handler: sendHandler(sender),
      // Enough retries for a day at the longest delay; the handler drops what is older.
      retryLimit: Math.ceil((DAY_MS / 1000) / MAX_RETRY_DELAY_SECONDS) + 10,
      retryDelaySeconds: RETRY_SECONDS,
      retryDelayMaxSeconds: MAX_RETRY_DELAY_SECONDS,
      expireInSeconds: 60, // a send waits at most 20 s for the server's acknowledgement
      localConcurrency: 8,
      batchSize: 1, // one address waiting for an acknowledgement holds up no other
      pollForRetries: true,
      ordered: true,
      onDemand: true,
    },
  };
}
