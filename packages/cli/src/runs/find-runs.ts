import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RUN_FILES, UserError } from '@sempair/core';

const isRun = (dir: string): boolean => existsSync(join(dir, RUN_FILES.config)) || existsSync(join(dir, RUN_FILES.metrics));

/**
 * The run directories at or under `paths`: a run itself, an experiment's directory (its runs),
 * or a runs directory (every experiment's runs), at most `depth` levels down, in name order.
 */
export async function findRunDirs(paths: readonly string[], depth = 3): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, left: number): Promise<void> => {
    if (isRun(dir)) {
      found.push(dir);
      return;
    }
    if (left === 0) return;
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) await walk(join(dir, e.name), left - 1);
  };
  for (const path of paths) {
    const dir = resolve(path);
    if (!existsSync(dir) || !(await stat(dir)).isDirectory()) throw new UserError(`not a directory: ${path}`, 'give a run directory, an experiment directory or a runs directory');
    await walk(dir, depth);
  }
  if (found.length === 0) throw new UserError(`no run directories under ${paths.join(', ')}`, 'give a directory holding runs (each with config.json and metrics.jsonl)');
  return [...new Set(found)];
}
