import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../../..');
export const BIN = join(REPO, 'packages/cli/bin/run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp dir with its own XDG data/config/cache, so linked plugins never leak between tests or from the user. */
export async function sandbox(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-cli-'));
  return {
    dir,
    env: {
      XDG_DATA_HOME: join(dir, 'xdg-data'),
      XDG_CONFIG_HOME: join(dir, 'xdg-config'),
      XDG_CACHE_HOME: join(dir, 'xdg-cache'),
    },
  };
}

/** Runs the built CLI (`node packages/cli/bin/run.js …`) as a user would; never throws on a non-zero exit. */
export function sempair(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? REPO,
        // As a user runs it: ava's NODE_ENV=test would switch oclif into development mode.
        env: { ...process.env, NODE_ENV: undefined, CI: 'true', NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Lines of stdout parsed as JSON (the --json output). */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
