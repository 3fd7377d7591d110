// The admin command line: `ostrakon <command>`, or `npm run admin -- <command>` in a checkout.
// The commands are in src/cli/; this file only wires them to the process.
import { runCli } from './cli/run.ts';

const status = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});
process.exitCode = status;
// Everything was closed; should a library still hold a timer or socket, do not wait for it.
setTimeout(() => process.exit(status), 2000).unref();
