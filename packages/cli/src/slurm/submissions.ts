import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '@sempair/core';

/** One sbatch of a job array: task i ran `runs[i]`. */
export interface Submission {
  jobId: string;
  runs: string[];
  script: string;
  submittedAt: string;
}

/**
 * Every job array submitted for an experiment, oldest first, kept in `<experiment>/slurm/
 * jobs.json` beside the runs (written atomically after each sbatch): a later invocation
 * follows tasks still queued or running instead of submitting their runs twice, and a person
 * finds the job ids there.
 */
export interface SubmissionLog {
  format: 'sempair-slurm-jobs';
  version: 1;
  submissions: Submission[];
}

export const SLURM_DIR = 'slurm';

export function submissionLogPath(experimentDir: string): string {
  return join(experimentDir, SLURM_DIR, 'jobs.json');
}

export async function readSubmissions(experimentDir: string): Promise<SubmissionLog> {
  const path = submissionLogPath(experimentDir);
  if (!existsSync(path)) return { format: 'sempair-slurm-jobs', version: 1, submissions: [] };
  const log = await readJson<SubmissionLog>(path, 'Slurm job list');
  return { format: 'sempair-slurm-jobs', version: 1, submissions: Array.isArray(log.submissions) ? log.submissions : [] };
}

export async function writeSubmissions(experimentDir: string, log: SubmissionLog): Promise<void> {
  await writeJsonAtomic(submissionLogPath(experimentDir), log);
}

/** The newest array task that ran `runId`: `<job>_<index>`. */
export function latestTask(log: SubmissionLog, runId: string): string | undefined {
  for (let i = log.submissions.length - 1; i >= 0; i--) {
    const s = log.submissions[i]!;
    const index = s.runs.indexOf(runId);
    if (index >= 0) return `${s.jobId}_${index}`;
  }
  return undefined;
}

/** Output files of an array task (sbatch --output/--error with %A_%a). */
export function taskOutput(experimentDir: string, task: string): { stdout: string; stderr: string } {
  return { stdout: join(experimentDir, SLURM_DIR, `${task}.out`), stderr: join(experimentDir, SLURM_DIR, `${task}.err`) };
}
