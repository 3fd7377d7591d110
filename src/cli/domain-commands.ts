// Servers: block-domain, unblock-domain, list-domain-blocks (the same as /admin/domains).
import { blockDomain, domainBlockList, unblockDomain } from '../domain/domain-blocks.ts';
import type { BlockingActor } from '../domain/domain-blocks.ts';
import { formatTable } from './output.ts';
import type { Command } from './types.ts';

// The audit log names who acted: here, the operator at the shell.
const OPERATOR: BlockingActor = { id: null, nickname: 'operator (command line)' };

const blockDomainCommand: Command = {
  name: 'block-domain',
  summary: 'Cut off a server (and its subdomains), or with --silence keep it off public pages',
  usage: '<host> [--silence] [--note <text>]',
  details: [
    'Suspending (the default) ends every subscription to and from its people, removes their notices,',
    'answers its OpenMicroBlogging and ActivityPub requests 403 and sends it nothing more.',
    '--silence only keeps its people’s notices off tag pages and search. host:port blocks one port only.',
  ],
  positionals: ['host'],
  options: { silence: { type: 'boolean' }, note: { type: 'string' } },
  async run(session, { positionals: [host], values }, io) {
    const severity = values.silence === true ? 'silence' : 'suspend';
    const result = await blockDomain(await session.context(), OPERATOR, { host: host!, severity, note: String(values.note ?? '') });
    const removed = severity === 'suspend' ? `; ${result.notices} notice(s) and ${result.subscriptions} subscription(s) removed` : '';
    io.out(`${severity === 'suspend' ? 'Suspended' : 'Silenced'} ${result.block.host}: ${result.profiles} known profile(s)${removed}.`);
  },
};

const unblockDomainCommand: Command = {
  name: 'unblock-domain',
  summary: 'Lift the block of a server',
  usage: '<host>',
  details: ['Its people are no longer suspended or silenced by the block; what the block removed stays removed.'],
  positionals: ['host'],
  options: {},
  async run(session, { positionals: [host] }, io) {
    const { block, profiles } = await unblockDomain(await session.context(), OPERATOR, host!);
    io.out(`Lifted the block of ${block.host} (${profiles} profile(s) no longer ${block.severity === 'suspend' ? 'suspended' : 'silenced'}).`);
  },
};

const listDomainBlocks: Command = {
  name: 'list-domain-blocks',
  summary: 'List the blocked servers',
  usage: '',
  positionals: [],
  options: {},
  async run(session, _args, io) {
    const blocks = await domainBlockList(await session.context());
    if (blocks.length === 0) return io.err('No server is blocked.');
    const rows = blocks.map((b) => [b.host, b.severity, b.createdAt.toISOString().slice(0, 19).replace('T', ' '), b.note]);
    for (const line of formatTable(['HOST', 'BLOCK', 'SINCE (UTC)', 'NOTE'], rows, [false, false, false, false])) io.out(line);
  },
};

/** The server-blocking commands. */
export const domainCommands: readonly Command[] = [blockDomainCommand, unblockDomainCommand, listDomainBlocks];
