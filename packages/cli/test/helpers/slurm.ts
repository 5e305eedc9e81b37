import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where scripts/slurm-local.sh writes its config (SEMPAIR_SLURM_DIR overrides). */
const LOCAL_CONF = `${process.env.SEMPAIR_SLURM_DIR ?? '/tmp/sempair-slurm'}/slurm.conf`;

/**
 * Whether a Slurm cluster answers here: the one SLURM_CONF names, else the one
 * scripts/slurm-local.sh started (then SLURM_CONF is set for this process and its children).
 * Resolves with the reason when none does, for the skipped tests' titles.
 */
export async function slurmCluster(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!process.env.SLURM_CONF && existsSync(LOCAL_CONF)) process.env.SLURM_CONF = LOCAL_CONF;
  try {
    const { stdout } = await run('sinfo', ['--noheader', '-o', '%t'], { timeout: 10_000 });
    const states = stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    if (!states.some((s) => /^(idle|mix|alloc)/.test(s))) return { ok: false, reason: `no Slurm node is up (sinfo: ${states.join(', ') || 'none'}; scripts/slurm-local.sh start)` };
    return { ok: true };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    return { ok: false, reason: e.code === 'ENOENT' ? 'no Slurm here (apt-get install slurm-wlm munge; scripts/slurm-local.sh start)' : `no Slurm cluster answers (${(e.stderr ?? e.message).trim().split('\n')[0]}; scripts/slurm-local.sh start)` };
  }
}

/** The process ids of a running array task (`scontrol listpids` on the task's own job id). */
export async function taskPids(task: string): Promise<number[]> {
  const [job, index] = task.split('_');
  const { stdout: ids } = await run('squeue', ['--array', '--noheader', `--jobs=${job}`, '-o', '%K %A']);
  const jobId = ids.split('\n').map((l) => l.trim().split(' ')).find(([k]) => k === index)?.[1];
  if (!jobId) return [];
  const { stdout } = await run('scontrol', ['listpids', jobId]);
  return stdout
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}
