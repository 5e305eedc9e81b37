import { Errors } from '@oclif/core';
import { isUserError } from '@sempair/core';

/** How an error ends the process: one line for stderr and an exit code. */
export interface ErrorReport {
  line: string;
  exitCode: number;
}

/** oclif's flag and argument errors (unknown flag, bad integer, missing argument, …). */
function isParseError(error: unknown): error is Error & { oclif?: { exit?: number } } {
  return (error instanceof Errors.CLIError && 'parse' in error) || (error instanceof Error && error.message.startsWith('Parsing --'));
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with --help$/.test(l))
    .join(' ')
    .replace(/^Parsing (--[\w-]+)\s+(\w)/, (_, flag: string, first: string) => `${flag}: ${first.toLowerCase()}`);
}

/**
 * Turns any error into the one line a user sees. UserErrors carry their own fix; oclif usage
 * errors get a pointer to --help (exit 2, as usual for usage errors); anything else is a bug or
 * an unexpected condition, so the line says how to see the stack trace.
 */
export function describeError(error: unknown, commandId: string | undefined): ErrorReport {
  const helpHint = `see 'sempair ${commandId ? commandId.replace(/:/g, ' ') + ' ' : ''}--help'`;
  if (isUserError(error)) return { line: oneLine(error.line), exitCode: 1 };
  if (isParseError(error)) {
    return { line: `${oneLine(error.message)} — ${helpHint}`, exitCode: error.oclif?.exit ?? 2 };
  }
  if (error instanceof Errors.CLIError) {
    return { line: `${oneLine(error.message)} — ${helpHint}`, exitCode: error.oclif.exit ?? 1 };
  }
  const message = error instanceof Error ? oneLine(error.message) || error.name : String(error);
  return { line: `${message} — unexpected error; re-run with --debug to see the stack trace`, exitCode: 1 };
}
