import type { ProgressEvent, ProgressListener } from '@sempair/core';

export interface ThrottledListener extends ProgressListener {
  /** Delivers the last event held back, if any. */
  flush(): void;
}

/**
 * Passes at most one event per `intervalMs`, but never drops a boundary: the last step of a
 * phase, and (with `epochs`) the end of each epoch, so JSON lines always show where each
 * epoch ended. Plain-text logs pass `epochs: false` to stay short.
 */
export function throttleProgress(listener: ProgressListener, intervalMs: number, { epochs = true } = {}): ThrottledListener {
  let last = 0;
  let pending: ProgressEvent | undefined;
  let previous: ProgressEvent | undefined;
  const throttled = ((event: ProgressEvent) => {
    const now = Date.now();
    const newSection = !previous || event.phase !== previous.phase || (epochs && event.epoch !== previous.epoch);
    previous = event;
    // The last event of the section just finished goes out before the first of the next one.
    if (newSection && pending) listener(pending);
    if (newSection || event.step >= event.steps || now - last >= intervalMs) {
      last = now;
      pending = undefined;
      listener(event);
    } else pending = event;
  }) as ThrottledListener;
  throttled.flush = () => {
    if (pending) listener(pending);
    pending = undefined;
  };
  return throttled;
}
