// What every command is made of.
import type { ParseArgsConfig } from 'node:util';
import type { CliSession } from './session.ts';

export type CommandArgs = { positionals: string[]; values: Record<string, string | boolean | undefined> };

/** Where a command writes: stdout for results, stderr for progress and messages. */
export type CommandIo = { out(line: string): void; err(line: string): void };

export type Command = {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The arguments, as `help <command>` shows them after the command's name. */
  usage: string;
  /** More lines for `<command> --help`. */
  details?: string[];
  /** Names of the positional arguments, all required. */
  positionals: string[];
  /** Names of positional arguments that may follow the required ones. */
  optionalPositionals?: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  run(session: CliSession, args: CommandArgs, io: CommandIo): Promise<void>;
};
