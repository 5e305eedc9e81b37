/**
 * Ctrl-C during training: the first SIGINT aborts through the AbortSignal (the trainer saves a
 * checkpoint and returns 'aborted'); a second one quits at once.
 */
export function abortOnInterrupt(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
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
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
