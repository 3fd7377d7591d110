// Runs the chat bot in one worker process of the site: with several workers (one database
// server), the one holding a Postgres advisory lock connects and the others wait to take over
// when it stops or dies; with the embedded database there is one process, which just connects.
import type { Logger } from 'pino';
import type { DomainContext } from '../domain/context.ts';
import type { ChatBot, OutgoingQueue } from './bot.ts';

/** A lock only one process holds at a time; `lost` resolves if it goes with its connection. */
export type Leadership = () => Promise<{ lost: Promise<void>; release(): Promise<void> } | undefined>;

/** How often a waiting worker tries to take the bot over. */
const TAKEOVER_POLL_MS = 15_000;

export type ImService = { stop(): Promise<void> };

/** Starts the bot now (no leadership given) or whenever this process holds the lock. */
export function startImService(options: { bot: ChatBot; ctx: DomainContext; outgoing: OutgoingQueue; logger: Logger; leadership?: Leadership }): ImService {
  const { bot, ctx, outgoing, logger, leadership } = options;
  if (!leadership) {
    bot.start(ctx, outgoing);
    return { stop: () => bot.stop() };
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let held: { release(): Promise<void> } | undefined;

  const attempt = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    let lock;
    try {
      lock = await leadership();
    } catch (error) {
      logger.warn({ err: error }, 'could not ask the database which worker runs the chat bot');
    }
    if (stopped) return void (await lock?.release());
    if (!lock) {
      timer = setTimeout(() => void attempt(), TAKEOVER_POLL_MS);
      return;
    }
    held = lock;
    logger.info('this worker runs the chat bot');
    bot.start(ctx, outgoing);
    void lock.lost.then(async () => {
      if (stopped || held !== lock) return;
      held = undefined;
      logger.warn('lost the database connection that holds the chat bot; stopping it until this worker holds it again');
      await bot.stop();
      timer = setTimeout(() => void attempt(), 1000);
    });
  };
  void attempt();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await bot.stop();
      await held?.release();
    },
  };
}
