import type { ExperimentInvocation } from '@sempair/core';

/**
 * The arguments (after the `sempair` binary) of the command that runs one planned run of an
 * experiment and its evaluations in this process, as a fresh process would: what a Slurm array
 * task or a person on another machine runs. It skips the run when finished, resumes it when
 * started, and exits 0 only when pre-training and every evaluation are done.
 */
export function runCommand(invocation: ExperimentInvocation, runId: string): string[] {
  const args = ['reproduce', invocation.experiment];
  if (invocation.scale) args.push('--scale', invocation.scale);
  const data = Object.entries(invocation.data);
  if (data.length) args.push('--data', data.map(([k, v]) => `${k}=${v}`).join(','));
  if (invocation.epochs !== undefined) args.push('--epochs', String(invocation.epochs));
  if (invocation.methods?.length) args.push('--methods', invocation.methods.join(','));
  if (invocation.config) args.push('--config', invocation.config);
  if (invocation.backend) args.push('--backend', invocation.backend);
  args.push('--runs-dir', invocation.runsDir, '--run', runId);
  return args;
}

/** The same, as one shell line (arguments quoted where needed). */
export function runCommandLine(invocation: ExperimentInvocation, runId: string, bin = 'sempair'): string {
  return [bin, ...runCommand(invocation, runId)].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
