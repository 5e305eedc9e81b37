import type { ProgressEvent } from '@sempair/core';

/** 3725 → "1h02m", 185 → "3m05s", 42 → "42s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export function formatNumber(value: number | undefined, digits = 4): string {
  if (value === undefined || value === null) return '–';
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(digits);
}

/** One status line: "epoch 3/10 · step 120/400 · loss 4.1234 · 850 img/s · ETA 1m05s". */
export function formatProgress(event: ProgressEvent): string {
  const parts: string[] = [];
  // Pre-training is what the task title says; other phases (feature extraction, …) are named.
  if (event.phase && event.phase !== 'pretrain') parts.push(event.phase);
  if (event.epoch !== undefined) parts.push(`epoch ${event.epoch}${event.epochs ? `/${event.epochs}` : ''}`);
  if (event.steps > 0) parts.push(`step ${event.step}/${event.steps}`);
  if (event.loss !== undefined) parts.push(`loss ${formatNumber(event.loss)}`);
  for (const [key, value] of Object.entries(event.metrics ?? {}).slice(0, 3)) {
    if (key !== 'loss') parts.push(`${key} ${formatNumber(value)}`);
  }
  if (event.imagesPerSecond !== undefined) parts.push(`${Math.round(event.imagesPerSecond)} img/s`);
  if (event.etaSeconds !== undefined && event.step < event.steps) parts.push(`ETA ${formatDuration(event.etaSeconds)}`);
  if (event.message) parts.push(event.message);
  return parts.join(' · ');
}
