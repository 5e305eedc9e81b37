import { arch, cpus, platform, release, totalmem } from 'node:os';
import { metricsByStep, readMetrics, readRunRecords, readRunStatus, type ExpandedExperiment, type MachineInfo, type RunRecord } from '@sempair/core';

/** A run as the report shows it: its record (state, matching evaluations), metrics and backend. */
export interface ReportRun extends RunRecord {
  /** metrics.jsonl, one line per step. */
  metrics: Array<Record<string, unknown>>;
  backend?: string;
  machine?: MachineInfo;
  startedAt?: string;
  /** Evaluations the experiment asks for that have no result (with its options) yet. */
  missing: string[];
}

/** Reads every planned run's directory: the same records `sempair results` reads, and the training curves. */
export async function readReportRuns(experiment: ExpandedExperiment): Promise<ReportRun[]> {
  const records = await readRunRecords(experiment.runs);
  return Promise.all(
    records.map(async (record) => {
      const status = await readRunStatus(record.run.runDir).catch(() => null);
      return {
        ...record,
        metrics: status ? metricsByStep(await readMetrics(record.run.runDir)) : [],
        // A baseline trains nothing: the backend that computed its evaluations.
        backend: status?.backend ?? Object.values(record.evaluations)[0]?.backend,
        machine: status?.machine,
        startedAt: status?.startedAt,
        missing: record.run.evaluations.filter((e) => !record.evaluations[e.name]).map((e) => e.name),
      };
    }),
  );
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
 * Where the numbers come from: software versions (given), the backend, seeds and machines the
 * runs recorded, the machine this report was made on, and when the runs ran.
 */
export function environment(runs: readonly ReportRun[], versions: Record<string, string>): Environment {
  const started = runs.map((r) => r.startedAt).filter((s): s is string => Boolean(s)).sort();
  const updated = runs.map((r) => r.updatedAt).filter((s): s is string => Boolean(s)).sort();
  const cpu = cpus();
  return {
    rows: [
      ['backend (as the runs recorded)', distinct(runs.map((r) => r.backend))],
      ['backend asked for', distinct(runs.map((r) => r.run.config.backend))],
      ['seeds', distinct(runs.map((r) => r.run.config.seed))],
      ...Object.entries(versions),
      ['node', process.versions.node],
      ['trained on', distinct(runs.map((r) => r.machine && `${r.machine.host}: ${r.machine.platform}, ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`))],
      ['report made on', `${platform()} ${release()} (${arch()}), ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ['runs started', started.length ? `${started[0]} … ${started.at(-1)}` : '–'],
      ['last update', updated.at(-1) ?? '–'],
    ],
  };
}
