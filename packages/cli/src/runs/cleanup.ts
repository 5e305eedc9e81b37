import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listCheckpoints, readRunStatus, RUN_FILES } from '@sempair/core';

/**
 * After a run failed with an error: deletes its directory if this invocation created it and no
 * step was trained (nothing worth keeping, and a half-written run would confuse tables and
 * `reproduce`). A run that trained at least one step is kept, so it can be inspected or resumed.
 */
export async function removeIfUntrained(runDir: string, existedBefore: boolean): Promise<boolean> {
  if (existedBefore || !existsSync(runDir)) return false;
  const checkpoints = await listCheckpoints(join(runDir, RUN_FILES.checkpoints)).catch(() => []);
  const status = await readRunStatus(runDir).catch(() => null);
  if (checkpoints.length > 0 || (status && status.step > 0)) return false;
  await rm(runDir, { recursive: true, force: true });
  return true;
}
