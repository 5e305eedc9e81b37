import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';
import { teacherTemperatureSchedule } from './teacher-temperature.js';

export interface DinoLossOptions {
  /** Output width P of the DINO head. */
  numPrototypes: number;
  /** Student softmax temperature (0.1). */
  studentTemp?: number;
  /** Teacher temperature after the warm-up (0.07 in the CIFAR preset). */
  teacherTemp: number;
  /** Teacher temperature at epoch 0 (0.04). */
  warmupTeacherTemp: number;
  warmupTeacherTempEpochs: number;
  numEpochs: number;
  /** Center EMA momentum m (0.9). */
  centerMomentum?: number;
  /** Views V the student sees: 2 global views plus the local crops. */
  numStudentViews: number;
  /**
   * Where the center lives. Pass a variable registered as a buffer so checkpoints carry it;
   * by default the loss makes its own.
   */
  centerVariable?: tf.Variable;
}

/**
 * DINO's loss with centering (solo-learn's DINOLoss). The student logits [V·B, P] are divided by
 * the student temperature and split into V views; the teacher logits [2·B, P] are centered,
 * sharpened by the epoch's temperature, softmaxed, detached and split into the 2 global views.
 * The loss is the mean over (teacher view, student view) pairs with different indices of
 * `mean_b Σ_k −q·log_softmax(s)`. After the loss, the center moves toward the teacher's batch
 * mean: `center ← m·center + (1−m)·mean_rows(teacher)`, so a step's loss uses the center from
 * before its own update.
 */
export class DinoLoss {
  readonly numPrototypes: number;
  readonly studentTemp: number;
  readonly centerMomentum: number;
  readonly numStudentViews: number;
  /** Teacher temperature of each epoch. */
  readonly teacherTempSchedule: readonly number[];
  private readonly centerVar: tf.Variable;
  private readonly ownsCenter: boolean;

  constructor(options: DinoLossOptions) {
    const { numPrototypes, numStudentViews } = options;
    if (!Number.isInteger(numPrototypes) || numPrototypes < 1) throw new Error(`numPrototypes must be a whole number ≥ 1, got ${numPrototypes}`);
    if (!Number.isInteger(numStudentViews) || numStudentViews < 2) {
      throw new Error(`numStudentViews must be at least the 2 global views, got ${numStudentViews}`);
    }
    this.numPrototypes = numPrototypes;
    this.numStudentViews = numStudentViews;
    this.studentTemp = options.studentTemp ?? 0.1;
    this.centerMomentum = options.centerMomentum ?? 0.9;
    this.teacherTempSchedule = teacherTemperatureSchedule(
      options.warmupTeacherTemp,
      options.teacherTemp,
      options.warmupTeacherTempEpochs,
      options.numEpochs,
    );
    if (options.centerVariable) {
      const shape = options.centerVariable.shape;
      if (shape.length !== 2 || shape[0] !== 1 || shape[1] !== numPrototypes) {
        throw new Error(`the center variable must be [1, ${numPrototypes}], got [${shape.join(', ')}]`);
      }
      this.centerVar = options.centerVariable;
      this.ownsCenter = false;
    } else {
      this.centerVar = tf.variable(tf.zeros([1, numPrototypes]), false);
      this.ownsCenter = true;
    }
  }

  /** The current center, [1, P] (zeros at the start). */
  get center(): tf.Tensor2D {
    return this.centerVar as tf.Tensor as tf.Tensor2D;
  }

  set center(value: tf.Tensor) {
    if (value.shape.length !== 2 || value.shape[0] !== 1 || value.shape[1] !== this.numPrototypes) {
      throw new Error(`center must be [1, ${this.numPrototypes}], got [${value.shape.join(', ')}]`);
    }
    const copy = tf.cast(value, 'float32');
    this.centerVar.assign(copy);
    copy.dispose();
  }

  /** Teacher temperature at `epoch` (0-based); epochs past the schedule keep its last value. */
  teacherTemperature(epoch: number): number {
    const i = Math.min(Math.max(Math.floor(epoch), 0), this.teacherTempSchedule.length - 1);
    return this.teacherTempSchedule[i]!;
  }

  /** The loss of one step with the current center; then the center is updated from `teacherOutput`. */
  compute(studentOutput: tf.Tensor2D, teacherOutput: tf.Tensor2D, epoch: number): tf.Scalar {
    const V = this.numStudentViews;
    const [rows, p] = studentOutput.shape;
    if (p !== this.numPrototypes || teacherOutput.shape[1] !== this.numPrototypes) {
      throw new Error(`DINO outputs must have ${this.numPrototypes} prototypes, got student ${p}, teacher ${teacherOutput.shape[1]}`);
    }
    if (rows % V !== 0) throw new Error(`student output has ${rows} rows, not a multiple of ${V} views`);
    const b = rows / V;
    if (teacherOutput.shape[0] !== 2 * b) {
      throw new Error(`teacher output must hold the 2 global views of ${b} images (${2 * b} rows), got ${teacherOutput.shape[0]}`);
    }
    const temp = this.teacherTemperature(epoch);
    const loss = tf.tidy(() => {
      const student = tf.split(tf.logSoftmax(tf.div(studentOutput, this.studentTemp)), V, 0);
      const teacher = tf.split(stopGradient(tf.softmax(tf.div(tf.sub(teacherOutput, this.centerVar), temp))), 2, 0);
      const terms: tf.Scalar[] = [];
      teacher.forEach((q, iq) => {
        student.forEach((s, iv) => {
          if (iv === iq) return;
          terms.push(tf.mean(tf.sum(tf.mul(tf.neg(q), s), -1)) as tf.Scalar);
        });
      });
      return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
    });
    this.updateCenter(teacherOutput);
    return loss;
  }

  /** center ← m·center + (1 − m)·mean over rows of the (uncentered) teacher output. */
  private updateCenter(teacherOutput: tf.Tensor2D): void {
    const next = tf.tidy(() => {
      const batchCenter = stopGradient(tf.mean(teacherOutput, 0, true));
      return tf.add(tf.mul(this.centerVar, this.centerMomentum), tf.mul(batchCenter, 1 - this.centerMomentum));
    });
    this.centerVar.assign(next);
    next.dispose();
  }

  /** Frees the center if the loss made it (a caller's center variable stays the caller's). */
  dispose(): void {
    if (this.ownsCenter) this.centerVar.dispose();
  }
}
