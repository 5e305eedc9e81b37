import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { metricsByStep, readMetrics, readRunStatus, RUN_FILES, type AxisName, type RunConfig, type TableSpec } from '@sempair/core';
import type { ReportAxis, RunFacts } from './table-cells.js';

/** The part of an expanded experiment a report reads (ExpandedExperiment fits). */
export interface ReportExperiment {
  id: string;
  description: string;
  scale: string;
  dir: string;
  axes: ReportAxis[];
  runs: Array<{ id: string; label: string; axes: Partial<Record<AxisName, string>>; config: RunConfig; runDir: string; evaluations: Array<{ name: string }> }>;
  tables: TableSpec[];
}

export interface ReportRun extends RunFacts {
  runDir: string;
  config: RunConfig;
  /** status.json state, or "not started". */
  state: string;
  step?: number;
  totalSteps?: number;
  finalLoss?: number;
  backend?: string;
  startedAt?: string;
  updatedAt?: string;
  /** metrics.jsonl, one line per step. */
  metrics: Array<Record<string, unknown>>;
  /** Evaluations the experiment asks for that have no result yet. */
  missing: string[];
}

/** Reads every planned run's directory: status, metrics and evaluation results (what exists). */
export async function readReportRuns(experiment: ReportExperiment): Promise<ReportRun[]> {
  const out: ReportRun[] = [];
  for (const run of experiment.runs) {
    const status = await readRunStatus(run.runDir).catch(() => null);
    const evaluations: Record<string, Record<string, number>> = {};
    const missing: string[] = [];
    for (const e of run.evaluations) {
      const path = join(run.runDir, RUN_FILES.eval, `${e.name}.json`);
      const result = existsSync(path) ? ((await readFile(path, 'utf8').then(JSON.parse, () => null)) as { metrics?: Record<string, number> } | null) : null;
      if (result?.metrics) evaluations[e.name] = result.metrics;
      else missing.push(e.name);
    }
    out.push({
      id: run.id,
      label: run.label,
      axes: run.axes,
      runDir: run.runDir,
      config: run.config,
      state: status?.state ?? 'not started',
      step: status?.step,
      totalSteps: status?.totalSteps,
      finalLoss: status?.finalLoss ?? undefined,
      backend: status?.backend,
      startedAt: status?.startedAt,
      updatedAt: status?.updatedAt,
      metrics: status ? metricsByStep(await readMetrics(run.runDir)) : [],
      evaluations,
      missing,
    });
  }
  return out;
}

export interface Environment {
  /** Label → value, in display order. */
  rows: Array<[string, string]>;
}

function distinct(values: Array<string | number | undefined>): string {
  const set = [...new Set(values.filter((v) => v !== undefined).map(String))];
  return set.length ? set.join(', ') : '–';
}

/**
 * Where the numbers come from: software versions (given), the backend and seeds the runs
 * recorded, the machine this report was made on, and when the runs ran.
 */
export function environment(runs: readonly ReportRun[], versions: Record<string, string>): Environment {
  const started = runs.map((r) => r.startedAt).filter((s): s is string => Boolean(s)).sort();
  const updated = runs.map((r) => r.updatedAt).filter((s): s is string => Boolean(s)).sort();
  const cpu = cpus();
  return {
    rows: [
      ['backend (as the runs recorded)', distinct(runs.map((r) => r.backend))],
      ['backend asked for', distinct(runs.map((r) => r.config.backend))],
      ['seeds', distinct(runs.map((r) => r.config.seed))],
      ...Object.entries(versions),
      ['node', process.versions.node],
      ['report made on', `${platform()} ${release()} (${arch()}), ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ['runs started', started.length ? `${started[0]} … ${started.at(-1)}` : '–'],
      ['last update', updated.at(-1) ?? '–'],
    ],
  };
}

