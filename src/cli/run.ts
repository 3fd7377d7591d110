// Reads the command line, runs one command and turns every expected failure into a message on
// stderr and an exit status: 0 done, 1 failed, 2 the command line was wrong.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { EmbeddedDatabaseBusyError } from '../db/embedded-lock.ts';
import { HttpError } from '../errors.ts';
import { commands, overview, usageOf } from './commands.ts';
import { CliError, UsageError } from './errors.ts';
import { CliSession } from './session.ts';
import type { Command, CommandArgs, CommandIo } from './types.ts';

const HELP_FLAGS = new Set(['help', '--help', '-h']);

// Errors from pg when the database cannot be reached or entered: the settings are wrong, not the code.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENOENT', 'EACCES', '3D000', '28P01', '28000']);

function parse(command: Command, argv: string[]): CommandArgs & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages go on to explain `--`; the first sentence is what matters here.
    throw new UsageError(`${(error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '')}. See: ostrakon ${command.name} --help`);
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  if (help) return { positionals: [], values, help: true };
  const missing = command.positionals.slice(parsed.positionals.length);
  if (missing.length > 0) throw new UsageError(`${command.name}: missing <${missing[0]}> (usage: ostrakon ${command.name} ${command.usage})`);
  const extra = parsed.positionals.slice(command.positionals.length + (command.optionalPositionals?.length ?? 0));
  if (extra.length > 0) throw new UsageError(`${command.name}: unexpected argument "${extra[0]}" (usage: ostrakon ${command.name} ${command.usage})`.trimEnd());
  return { positionals: parsed.positionals, values, help: false };
}

function messageOf(error: unknown): { message: string; code: number; unexpected?: boolean } {
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof HttpError) return { message: error.message, code: 1 };
  if (error instanceof ConfigError) return { message: `Configuration error: ${error.message}`, code: 1 };
  if (error instanceof EmbeddedDatabaseBusyError) return { message: error.message, code: 1 };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    return { message: `Cannot use the database: ${(error as Error).message}. Check DATABASE_URL (or DATA_DIR for the embedded database).`, code: 1 };
  }
  return { message: `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, code: 1, unexpected: true };
}

/** Runs the command line `argv` (without node and the script); resolves to the exit status. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP_FLAGS.has(name)) {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    if (topic !== undefined && !command) {
      io.err(`Unknown command "${topic}". Run "ostrakon help" for the list.`);
      return 2;
    }
    for (const line of command ? usageOf(command) : overview()) io.out(line);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name}". Run "ostrakon help" for the list.`);
    return 2;
  }

  const session = new CliSession();
  try {
    const args = parse(command, rest);
    if (args.help) {
      for (const line of usageOf(command)) io.out(line);
      return 0;
    }
    await command.run(session, args, io);
    return 0;
  } catch (error) {
    const { message, code } = messageOf(error);
    io.err(message);
    return code;
  } finally {
    await session.close().catch((error: unknown) => io.err(`While closing the database: ${messageOf(error).message}`));
  }
}
