import { dinoHeadDefaults } from './dino-head.js';

/** DINO method defaults from REFERENCE.md (solo-learn's CIFAR preset; ViT optimiser from DINO). */
export const dinoDefaults = {
  ...dinoHeadDefaults,
  studentTemp: 0.1,
  teacherTemp: 0.07,
  warmupTeacherTemp: 0.04,
  /** DINO's recommended warm-up; a shorter run warms up over all of its epochs instead. */
  warmupTeacherTempEpochs: 30,
  centerMomentum: 0.9,
  emaBase: 0.9995,
  emaFinal: 1.0,
  freezeLastLayerEpochs: 1,
  augmentation: 'asymmetric',
  /** ResNets: LARS, no clipping (DINO's ResNet-50 recipe uses clip_grad 0). */
  training: { optimizer: 'lars', lr: 0.3, weightDecay: 1e-6, larsEta: 0.02, warmupEpochs: 10, gradClip: 0 },
  /** ViTs: AdamW, gradient norm clipped at 3 (DINO's default clip_grad). */
  vitTraining: { optimizer: 'adamw', lr: 0.005, weightDecay: 1e-4, gradClip: 3 },
} as const;
