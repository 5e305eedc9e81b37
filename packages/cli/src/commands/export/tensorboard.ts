import { relative } from 'node:path';
import { Args } from '@oclif/core';
import { readRunStatus, writeTensorBoardEvents } from '@sempair/core';
import { SempairCommand } from '../../base-command.js';
import { findRunDirs } from '../../runs/find-runs.js';
import { renderTable } from '../../tables.js';

export default class ExportTensorBoard extends SempairCommand<typeof ExportTensorBoard> {
  static override summary = "Write TensorBoard event files from runs' metrics (for runs trained before sempair wrote them, or to tidy after a resume).";
  static override description = `Pre-training writes its scalars to <run>/tensorboard/ as it goes, one event file per session. This command re-makes them from metrics.jsonl: one file per run, one point per step (the resumed session's value where a killed session logged a step twice), plus each evaluation's metrics (eval/<name>/<metric>) at the last step. Then: tensorboard --logdir <runs directory>.
A run still training is left alone (its live file is being written).`;
  static override examples = [
    { description: 'Every run of an experiment', command: '<%= config.bin %> <%= command.id %> runs/reproduce-quick && tensorboard --logdir runs/reproduce-quick' },
    { description: 'One run', command: '<%= config.bin %> <%= command.id %> runs/simclr-20260102-030405' },
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'A run, an experiment or a runs directory (several may be given).', required: true }),
  };

  async run(): Promise<void> {
    const runs = await findRunDirs(this.argv.filter((a) => !a.startsWith('-')));
    const rows: Array<{ run: string; file?: string; events?: number; skipped?: string }> = [];
    for (const runDir of runs) {
      const status = await readRunStatus(runDir).catch(() => null);
      if (status?.state === 'running') {
        rows.push({ run: runDir, skipped: 'still training (its live event file is current)' });
        continue;
      }
      const { path, events } = await writeTensorBoardEvents(runDir);
      rows.push({ run: runDir, file: path, events });
    }
    this.emit({ runs: rows });
    const cwd = process.cwd();
    this.print(renderTable(['run', 'event file', 'points'], rows.map((r) => [relative(cwd, r.run) || '.', r.file ? relative(r.run, r.file) : `skipped: ${r.skipped}`, r.events ?? ''])));
    this.note(`Open with: tensorboard --logdir ${relative(cwd, commonDir(runs)) || '.'}`);
  }
}

function commonDir(dirs: string[]): string {
  const parts = dirs.map((d) => d.split('/'));
  const first = parts[0]!;
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return dirs.length === 1 ? dirs[0]! : first.slice(0, n).join('/') || '/';
}
