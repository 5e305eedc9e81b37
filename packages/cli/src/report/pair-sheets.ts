import { initBackend, prepareRun, type BackendPreference, type ExpandedExperiment, type Registry } from '@sempair/core';
import { describeError } from '../errors.js';
import { contactSheetPng } from '../preview/contact-sheet.js';
import { previewPairs } from '../preview/pair-preview.js';

/** A contact sheet of the pairs one kind of run trains on (or why it could not be drawn). */
export interface PairSheet {
  /** The pairs label (SP, AP) or the run's label. */
  title: string;
  run: string;
  columns: string[];
  png?: Buffer;
  width?: number;
  height?: number;
  problem?: string;
}

/**
 * For each kind of pairs in the grid (SP, AP, …), the first pairs its first run trains on and
 * their augmented views, drawn exactly as `sempair pairs preview` draws them (step 0 of that
 * run's seed). A dataset that cannot be opened here (paper-scale data on another machine) is
 * a note on the sheet, not a failed report.
 */
export async function pairSheets(experiment: ExpandedExperiment, registry: Registry, count = 6): Promise<PairSheet[]> {
  const firsts = new Map<string, ExpandedExperiment['runs'][number]>();
  for (const run of experiment.runs) {
    if (run.baseline) continue; // trains on no pairs
    const key = run.axes.pairs ?? run.config.pairs;
    if (!firsts.has(key)) firsts.set(key, run);
  }
  const sheets: PairSheet[] = [];
  for (const [title, run] of firsts) {
    try {
      const prepared = await prepareRun(run.config, registry);
      await initBackend(run.config.backend as BackendPreference);
      const preview = await previewPairs(prepared, registry, count);
      const { png, layout } = await contactSheetPng(preview.rows);
      sheets.push({ title, run: run.label, columns: preview.columns, png, width: layout.width, height: layout.height });
    } catch (error) {
      sheets.push({ title, run: run.label, columns: [], problem: describeError(error, 'report').line });
    }
  }
  return sheets;
}
