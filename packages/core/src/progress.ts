/** What long work reports as it goes; the CLI renders it (listr2, quiet or JSON lines). */
export interface ProgressEvent {
  phase: string;
  epoch?: number;
  epochs?: number;
  step: number;
  steps: number;
  loss?: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
  metrics?: Record<string, number>;
  message?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
