// The email jobs: each words one message from the domain's facts and sends it through the mailer.
// Failures worth retrying (the mail server unreachable, a 4xx) throw, so pg-boss retries with
// backoff; a job with nothing left to say (address changed, switch turned off) just ends.
import type { DomainContext, JobHandler } from '../domain/context.ts';
import { confirmationEmail, favoriteEmail, mentionEmail, messageEmail, recoveryEmail, subscriberEmail } from '../domain/email-notifications.ts';
import { EMAIL_CONFIRM_JOB, EMAIL_NOTIFY_FAVORITE_JOB, EMAIL_NOTIFY_MENTION_JOB, EMAIL_NOTIFY_MESSAGE_JOB, EMAIL_NOTIFY_SUBSCRIBER_JOB, EMAIL_RECOVER_JOB } from '../domain/jobs.ts';
import type { JobDefinition } from '../jobs/queue.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import { confirmationMessage, directMessageMessage, favoriteMessage, mentionMessage, recoveryMessage, subscriberMessage } from './messages.ts';

type Compose = (ctx: DomainContext, data: Record<string, unknown>) => Promise<MailMessage | undefined>;

const composers: Readonly<Record<string, Compose>> = {
  [EMAIL_CONFIRM_JOB]: async (ctx, data) => {
    const facts = await confirmationEmail(ctx, Number(data.userId), String(data.address));
    return facts && confirmationMessage(ctx.config.siteName, facts);
  },
  [EMAIL_RECOVER_JOB]: async (ctx, data) => {
    const facts = await recoveryEmail(ctx, Number(data.userId));
    return facts && recoveryMessage(ctx.config.siteName, facts);
  },
  [EMAIL_NOTIFY_SUBSCRIBER_JOB]: async (ctx, data) => {
    const facts = await subscriberEmail(ctx, Number(data.userId), Number(data.subscriberId));
    return facts && subscriberMessage(ctx.config.siteName, facts);
  },
  [EMAIL_NOTIFY_MENTION_JOB]: async (ctx, data) => {
    const facts = await mentionEmail(ctx, Number(data.userId), Number(data.noticeId));
    return facts && mentionMessage(ctx.config.siteName, facts);
  },
  [EMAIL_NOTIFY_MESSAGE_JOB]: async (ctx, data) => {
    const facts = await messageEmail(ctx, Number(data.userId), Number(data.messageId));
    return facts && directMessageMessage(ctx.config.siteName, facts);
  },
  [EMAIL_NOTIFY_FAVORITE_JOB]: async (ctx, data) => {
    const facts = await favoriteEmail(ctx, Number(data.userId), Number(data.profileId), Number(data.noticeId));
    return facts && favoriteMessage(ctx.config.siteName, facts);
  },
};

function handlerFor(mailer: Mailer, compose: Compose): JobHandler {
  return async (ctx, data) => {
    const message = await compose(ctx, data);
    if (message) await mailer.send(message);
  };
}

/** The email job definitions, sending through `mailer`: retried with backoff from 30 seconds up to an hour apart, for about a day. */
export function mailJobDefinitions(mailer: Mailer): Record<string, JobDefinition> {
  const definitions: Record<string, JobDefinition> = {};
  for (const [name, compose] of Object.entries(composers)) {
    definitions[name] = {
      handler: handlerFor(mailer, compose),
      retryLimit: 30,
      retryDelaySeconds: 30,
      retryDelayMaxSeconds: 3600,
      expireInSeconds: 120,
      batchSize: 1, // an unreachable mail server must not hold up the messages claimed with one
      localConcurrency: 2,
      pollForRetries: true,
    };
  }
  return definitions;
}
