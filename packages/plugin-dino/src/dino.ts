import * as tf from '@tensorflow/tfjs-core';
import { copyToTwin, emaStep, embeddingStd, twinPairs, type MethodDefinition } from '@sempair/core';
import { dinoDefaults } from './dino-defaults.js';
import { DinoHead } from './dino-head.js';
import { DinoLoss } from './dino-loss.js';
import { multiCropFeatures } from './multi-crop.js';

/**
 * DINO: a student (backbone + DINO head) matches the centered, sharpened output of an EMA
 * teacher across views. The teacher sees the 2 global views; the student sees those and any
 * local crops (`--local-crops`). For semantic pairs, view 1 comes from one image of the pair and
 * view 2 from the other. The teacher (backbone and head) is frozen and follows the student after
 * each step with τ cosine-increased from emaBase to emaFinal; the center is a buffer, so it is
 * checkpointed and a resumed run carries it on. The last layer is held fixed for the first
 * `freezeLastLayerEpochs` epochs, as DINO does to stabilise the start.
 */
export const dinoDefinition: MethodDefinition = {
  id: 'dino',
  description: 'DINO: self-distillation from an EMA teacher with centering and sharpening (multi-crop)',
  options: {
    numPrototypes: { type: 'integer', default: dinoDefaults.numPrototypes, min: 1, description: 'output width of the DINO head (prototypes)' },
    hiddenDim: { type: 'integer', default: dinoDefaults.hiddenDim, min: 1, description: 'DINO head hidden width' },
    bottleneckDim: { type: 'integer', default: dinoDefaults.bottleneckDim, min: 1, description: 'DINO head bottleneck width (L2-normalised)' },
    normLastLayer: { type: 'boolean', default: dinoDefaults.normLastLayer, description: 'hold the last layer’s weight norm at 1' },
    headBatchNorm: { type: 'boolean', default: false, description: 'batch norm after the head’s hidden layers (DINO’s use_bn_in_head)' },
    studentTemp: { type: 'number', default: dinoDefaults.studentTemp, min: 0, description: 'student softmax temperature' },
    teacherTemp: { type: 'number', default: dinoDefaults.teacherTemp, min: 0, description: 'teacher temperature after the warm-up' },
    warmupTeacherTemp: { type: 'number', default: dinoDefaults.warmupTeacherTemp, min: 0, description: 'teacher temperature at epoch 0' },
    warmupTeacherTempEpochs: {
      type: 'integer',
      default: dinoDefaults.warmupTeacherTempEpochs,
      min: 0,
      description: 'epochs of linear teacher-temperature warm-up (capped at the run’s epochs)',
    },
    centerMomentum: { type: 'number', default: dinoDefaults.centerMomentum, min: 0, max: 1, description: 'momentum of the teacher center' },
    emaBase: { type: 'number', default: dinoDefaults.emaBase, min: 0, max: 1, description: 'teacher EMA momentum at step 0 (cosine to emaFinal)' },
    emaFinal: { type: 'number', default: dinoDefaults.emaFinal, min: 0, max: 1, description: 'teacher EMA momentum at the last step' },
    freezeLastLayerEpochs: { type: 'integer', default: dinoDefaults.freezeLastLayerEpochs, min: 0, description: 'epochs the last layer stays fixed' },
  },
  training: { ...dinoDefaults.training },
  backboneTraining: [{ backbone: 'vit', training: { ...dinoDefaults.vitTraining } }],
  augmentation: dinoDefaults.augmentation,
  create(ctx) {
    const o = ctx.options;
    const headOptions = {
      hiddenDim: o.hiddenDim as number,
      bottleneckDim: o.bottleneckDim as number,
      numPrototypes: o.numPrototypes as number,
      normLastLayer: o.normLastLayer as boolean,
      batchNorm: o.headBatchNorm as boolean,
    };
    const head = new DinoHead(ctx.params, 'head', ctx.backbone.featureDim, headOptions, ctx.rng.derive('dino', 'head'));
    const frozenScope = ctx.params.scope('', { frozen: true });
    const teacherBackboneParams = frozenScope.scope('momentum_backbone');
    const teacherBackbone = ctx.buildBackbone(teacherBackboneParams);
    const teacherHead = new DinoHead(frozenScope, 'momentum_head', ctx.backbone.featureDim, headOptions, ctx.rng.derive('dino', 'momentum_head'));
    // The teacher starts as an exact copy of the student (running statistics included).
    const pairs = [
      ...twinPairs(ctx.backbone.params, teacherBackboneParams),
      ...twinPairs(ctx.params.scope('head'), frozenScope.scope('momentum_head')),
    ];
    copyToTwin(pairs);
    // Like solo-learn's MomentumUpdater, the EMA averages parameters; buffers follow their own forward passes.
    const emaPairs = pairs.filter((p) => p.trainable);
    const emaTargets = emaPairs.map((p) => p.twin);
    const emaOnline = emaPairs.map((p) => p.online);
    const lastLayer = new Set(ctx.params.scope('head').list().filter((p) => p.name.includes('.last_layer.')).map((p) => p.name));
    const centerVariable = ctx.params.add('center', tf.zeros([1, headOptions.numPrototypes]), 'buffer');
    let dinoLoss: DinoLoss | undefined;
    const lossFor = (views: number): DinoLoss => {
      if (dinoLoss?.numStudentViews !== views) {
        dinoLoss?.dispose();
        dinoLoss = new DinoLoss({
          numPrototypes: headOptions.numPrototypes,
          studentTemp: o.studentTemp as number,
          teacherTemp: o.teacherTemp as number,
          warmupTeacherTemp: o.warmupTeacherTemp as number,
          warmupTeacherTempEpochs: Math.min(o.warmupTeacherTempEpochs as number, ctx.epochs),
          numEpochs: ctx.epochs,
          centerMomentum: o.centerMomentum as number,
          numStudentViews: views,
          centerVariable,
        });
      }
      return dinoLoss;
    };
    let tau = o.emaBase as number;

    return {
      loss(batch, state) {
        if (batch.views.length < 2) throw new Error('DINO needs two global views per pair');
        const loss = lossFor(batch.views.length);
        return tf.tidy(() => {
          const student = head.apply(multiCropFeatures(ctx.backbone, batch.views, true), true);
          // The teacher's variables are buffers: no gradient reaches them.
          const teacher = teacherHead.apply(multiCropFeatures(teacherBackbone, batch.views.slice(0, 2), true), true);
          const temperature = loss.teacherTemperature(state.epoch);
          const value = loss.compute(student.logits, teacher.logits, state.epoch);
          const [e1, e2] = tf.split(tf.slice(student.embedding, 0, 2 * batch.size), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
          // Mean entropy of the teacher's sharpened distribution: log P when uniform (collapse to
          // uniform), 0 when one-hot (collapse to one prototype).
          const q = tf.softmax(tf.div(teacher.logits, temperature));
          const entropy = tf.neg(tf.mean(tf.sum(tf.mul(q, tf.log(tf.add(q, 1e-12))), -1))) as tf.Scalar;
          return {
            loss: value,
            metrics: { z_std: embeddingStd([e1, e2]), teacher_entropy: entropy, teacher_temp: tf.scalar(temperature), tau: tf.scalar(tau) },
          };
        });
      },
      frozen(state) {
        return state.epoch < (o.freezeLastLayerEpochs as number) ? lastLayer : new Set();
      },
      afterStep(state) {
        tau = emaStep(emaTargets, emaOnline, state.step, state.totalSteps, o.emaBase as number, o.emaFinal as number);
      },
      dispose() {
        dinoLoss?.dispose();
      },
    };
  },
};
