/**
 * An error the user can cause and fix (bad flag, missing file, unknown id).
 * The CLI prints `message` as one line, then `fix`, and exits non-zero without a stack trace.
 */
export class UserError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'UserError';
    this.fix = fix;
  }

  /** One line: what is wrong, then what to do. */
  get line(): string {
    return this.fix ? `${this.message} — ${this.fix}` : this.message;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === 'UserError' && 'fix' in error;
}
