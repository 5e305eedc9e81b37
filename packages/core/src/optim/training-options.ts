export type OptimizerName = 'sgd' | 'lars' | 'adamw';

/** Optimisation settings of a run; methods give defaults, flags and config files override. */
export interface TrainingOptions {
  optimizer: OptimizerName;
  /** Base learning rate, before scaling by batch/256. */
  lr: number;
  weightDecay: number;
  momentum: number;
  /** LARS trust coefficient η. */
  larsEta: number;
  /** solo-learn's LARS `clip_lr`: trust ratio min(trust / lr, 1) (on in its presets). */
  larsClipLr: boolean;
  /** solo-learn's `exclude_bias_n_norm_lars`: biases and norm parameters skip LARS adaptation and decay (on in its presets). */
  larsExcludeBiasNorm: boolean;
  /** Multiply `lr` by batchSize/256 (the reference convention). */
  scaleLr: boolean;
  warmupEpochs: number;
  warmupStartLr: number;
  /** AdamW betas. */
  betas: [number, number];
  /** Clip the global gradient norm to this value (0 = off). */
  gradClip: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  optimizer: 'lars',
  lr: 0.4,
  weightDecay: 1e-4,
  momentum: 0.9,
  larsEta: 0.02,
  larsClipLr: true,
  larsExcludeBiasNorm: true,
  scaleLr: true,
  warmupEpochs: 10,
  warmupStartLr: 3e-5,
  betas: [0.9, 0.999],
  gradClip: 0,
};
