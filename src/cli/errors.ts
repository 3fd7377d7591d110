// Errors the command line turns into a message and an exit code, never a stack trace.

/** A command failed for a reason the user can act on (exit status 1). */
export class CliError extends Error {
  readonly exitCode: number = 1;
}

/** The command line itself was wrong: unknown command or option, missing argument (exit status 2). */
export class UsageError extends CliError {
  override readonly exitCode: number = 2;
}
