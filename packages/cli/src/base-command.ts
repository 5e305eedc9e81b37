import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import type { Registry } from '@sempair/core';
import { describeError } from './errors.js';
import { loadRegistry, requireRegistry, type LoadedRegistry } from './registry/load-registry.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof SempairCommand)['baseFlags'] & T['flags']
>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Base of every sempair command: the shared flags, the registry (built once per process through
 * the `sempair:register` hook), output helpers that respect --json and --quiet, and error
 * handling that ends in one line on stderr.
 */
export abstract class SempairCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show stack traces of errors.', helpGroup: 'GLOBAL' }),
    json: Flags.boolean({ description: 'Print machine-readable JSON on stdout and nothing else there.', helpGroup: 'GLOBAL' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print only the final result.', helpGroup: 'GLOBAL' }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;

  override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as unknown as typeof SempairCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
  }

  /** The registry with every plugin registered; a plugin that failed ends the command. */
  protected registry(): Promise<Registry> {
    return requireRegistry(this.config);
  }

  /** The registry and the plugins' load report, failures included (for `sempair doctor`). */
  protected registryReport(): Promise<LoadedRegistry> {
    return loadRegistry(this.config);
  }

  protected get jsonMode(): boolean {
    return Boolean(this.flags?.json ?? this.argv.includes('--json'));
  }

  protected get quietMode(): boolean {
    return Boolean(this.flags?.quiet);
  }

  /** Human output on stdout (tables, summaries); nothing in --json mode. */
  protected print(text = ''): void {
    if (!this.jsonMode) process.stdout.write(`${text}\n`);
  }

  /** Informational notes on stderr; nothing in --quiet or --json mode. */
  protected note(text: string): void {
    if (!this.jsonMode && !this.quietMode) process.stderr.write(`${text}\n`);
  }

  /** One JSON document (or JSON line) on stdout, in --json mode only. */
  protected emit(value: unknown): void {
    if (this.jsonMode) process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Ends the command with one line on stderr and a non-zero exit code, never a stack trace unless --debug. */
  override async catch(error: Error & { exitCode?: number }): Promise<void> {
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit;
      return;
    }
    const { line, exitCode } = describeError(error, this.id);
    process.stderr.write(`Error: ${line}\n`);
    if ((this.flags?.debug ?? this.argv.includes('--debug')) && error?.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
  }
}
