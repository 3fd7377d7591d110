// The list of commands, in the order `help` shows them, and the help texts.
import type { Command } from './types.ts';
import { maintenanceCommands } from './maintenance-commands.ts';
import { userCommands } from './user-commands.ts';
import { domainCommands } from './domain-commands.ts';

/** Every command. */
export const commands: readonly Command[] = [...userCommands, ...domainCommands, ...maintenanceCommands];

/** The text of `help`. */
export function overview(): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: ostrakon <command> [arguments]   (in a checkout: npm run admin -- <command> [arguments])',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  Show this list, or how to use one command: help <command>`,
    '',
    'Settings come from the same environment variables as the server (DATABASE_URL, DATA_DIR, ...).',
  ];
}

/** The text of `<command> --help`. */
export function usageOf(command: Command): string[] {
  return [`Usage: ostrakon ${command.name}${command.usage ? ` ${command.usage}` : ''}`, '', command.summary, ...(command.details ? ['', ...command.details] : [])];
}
