// Passwords for the command line come from OSTRAKON_PASSWORD or standard input, never from an
// argument, so they stay out of shell history and `ps`.
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { adminPasswordFromEnv } from '../config.ts';
import { CliError, UsageError } from './errors.ts';

const MAX_INPUT_BYTES = 4096;

// A terminal: ask without echoing what is typed.
function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise<string>((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      reject(new CliError('Interrupted.'));
    });
    rl.question('', (answer) => {
      rl.close();
      resolve(answer);
    });
  }).finally(() => process.stderr.write('\n'));
}

// A pipe or file: the first line of it.
async function firstLineOfStdin(): Promise<string> {
  process.stdin.setEncoding('utf8');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n') || Buffer.byteLength(text) > MAX_INPUT_BYTES) break;
  }
  process.stdin.destroy();
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** The new password for `nickname`; on a terminal it is asked twice. */
export async function readNewPassword(nickname: string): Promise<string> {
  const fromEnv = adminPasswordFromEnv();
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) {
    const password = await askHidden(`New password for ${nickname}: `);
    if ((await askHidden('Type it again: ')) !== password) throw new CliError('The two passwords do not match.');
    return password;
  }
  const password = await firstLineOfStdin();
  if (password === '') throw new UsageError('No password given: set OSTRAKON_PASSWORD or write the password on standard input.');
  return password;
}
