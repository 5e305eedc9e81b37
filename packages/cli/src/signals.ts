export interface Interrupt {
  /** Aborts on the first interrupt. */
  signal: AbortSignal;
  /** Acts as if SIGINT arrived (e.g. when the parent process of a child went away). */
  interrupt(): void;
  dispose(): void;
}

/**
 * Ctrl-C during training: the first SIGINT aborts through the AbortSignal (the trainer saves a
 * checkpoint and returns 'aborted'); a second one quits at once.
 */
export function abortOnInterrupt(onFirst: () => void): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    interrupt: handler,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
