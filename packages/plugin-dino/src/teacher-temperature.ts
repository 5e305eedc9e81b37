/**
 * DINO's teacher temperature per epoch: `linspace(warmup, final, warmupEpochs)` (endpoint
 * included, as numpy's) then `final` for the remaining epochs. Epochs past the end keep the
 * last value. `warmupEpochs` 0 gives `final` throughout; 1 gives `warmup` for epoch 0 only.
 */
export function teacherTemperatureSchedule(warmup: number, final: number, warmupEpochs: number, numEpochs: number): number[] {
  if (!Number.isInteger(warmupEpochs) || warmupEpochs < 0) throw new Error(`warmupTeacherTempEpochs must be a whole number ≥ 0, got ${warmupEpochs}`);
  if (!Number.isInteger(numEpochs) || numEpochs < 1) throw new Error(`numEpochs must be a whole number ≥ 1, got ${numEpochs}`);
  if (warmupEpochs > numEpochs) {
    throw new Error(`warmupTeacherTempEpochs (${warmupEpochs}) exceeds numEpochs (${numEpochs}); shorten the warm-up or train longer`);
  }
  const schedule: number[] = [];
  for (let e = 0; e < warmupEpochs; e++) {
    // numpy: start + e·step, with the last point set to `final` exactly.
    schedule.push(e === warmupEpochs - 1 && warmupEpochs > 1 ? final : warmup + (e * (final - warmup)) / Math.max(warmupEpochs - 1, 1));
  }
  while (schedule.length < numEpochs) schedule.push(final);
  return schedule;
}
