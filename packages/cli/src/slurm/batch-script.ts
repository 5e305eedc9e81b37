/** Quotes one word for bash, only where needed. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Stands for the run id in `command`; the script puts the array task's run there. */
export const RUN_ID = '{run}';

export interface BatchScript {
  /** Run ids, one per array task, in task order. */
  runs: readonly string[];
  /**
   * The command of one task, `RUN_ID` where its run id goes: e.g. node, the CLI's entry
   * script, `reproduce <experiment> … --run {run} --json`.
   */
  command: readonly string[];
  /** Shell lines run first (module load, conda activate, …). */
  setup: readonly string[];
  /** The sbatch options it is submitted with, written into the script for a person to read. */
  options: readonly string[];
}

/**
 * A job array's script: task i runs `runs[i]`. The task's command replaces the shell
 * (exec), so a signal Slurm sends to the batch shell (the time-limit warning, scancel) reaches
 * sempair, which saves a checkpoint before it ends.
 */
export function batchScript(script: BatchScript): string {
  const command = script.command.map((word) => (word === RUN_ID ? '"$run"' : shellQuote(word))).join(' ');
  if (!script.command.includes(RUN_ID)) throw new Error('the task command has no place for the run id');
  return [
    '#!/bin/bash',
    '# One run of a sempair experiment per array task, written by `sempair reproduce --executor slurm`.',
    `# Submitted as: sbatch ${script.options.map(shellQuote).join(' ')} <this file>`,
    'set -euo pipefail',
    `runs=(${script.runs.map(shellQuote).join(' ')})`,
    'run="${runs[$SLURM_ARRAY_TASK_ID]}"',
    'echo "sempair: run $run, array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname)" >&2',
    ...script.setup,
    `exec ${command}`,
    '',
  ].join('\n');
}
