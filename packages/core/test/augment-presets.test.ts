// Presets, sizing, ablations (disable / overrides) and validation of pipelines.
import test from 'ava';
import { isUserError, UserError } from '../src/errors.js';
import {
  builtinAugmentations,
  disableSteps,
  dinoLocalView,
  presetForSize,
  resolveAugmentation,
  symmetricPreset,
  asymmetricPreset,
  vicregPreset,
  cropOnlyPreset,
  validateViewPipeline,
  type AugmentStep,
  type AugmentStepType,
  type ViewPipeline,
} from '../src/augment/index.js';

const types = (view: ViewPipeline): AugmentStepType[] => view.steps.map((s) => s.type);
const stepOf = <T extends AugmentStepType>(view: ViewPipeline, type: T) =>
  view.steps.find((s): s is Extract<AugmentStep, { type: T }> => s.type === type);

test('built-in presets are registered, JSON-serialisable and follow the reference table', (t) => {
  t.deepEqual(builtinAugmentations.map((p) => p.id).sort(), ['asymmetric', 'crop-only', 'symmetric', 'vicreg']);
  for (const preset of builtinAugmentations) {
    t.deepEqual(JSON.parse(JSON.stringify(preset)), preset);
    preset.views.forEach((v) => validateViewPipeline(v));
  }
  const order = ['crop', 'rotate', 'jitter', 'grayscale', 'blur', 'solarize', 'flip', 'normalize'];
  t.deepEqual(types(symmetricPreset.views[0]!), order);
  t.deepEqual(symmetricPreset.views[0], symmetricPreset.views[1]);
  t.like(stepOf(symmetricPreset.views[0]!, 'jitter'), { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 0.8 });
  const [a1, a2] = asymmetricPreset.views;
  t.is(stepOf(a1!, 'blur')!.p, 1);
  t.is(stepOf(a2!, 'blur')!.p, 0.1);
  t.is(stepOf(a1!, 'solarize')!.p, 0);
  t.is(stepOf(a2!, 'solarize')!.p, 0.2);
  t.deepEqual(stepOf(vicregPreset.views[0]!, 'crop')!.scale, [0.2, 1]);
  t.is(stepOf(vicregPreset.views[0]!, 'solarize')!.p, 0.1);
  t.deepEqual(types(cropOnlyPreset.views[0]!), ['crop', 'rotate', 'normalize']);
  t.is(stepOf(cropOnlyPreset.views[0]!, 'rotate')!.p, 0);
  t.deepEqual(stepOf(symmetricPreset.views[0]!, 'normalize')!.mean, [0.485, 0.456, 0.406]);
});

test('presetForSize sizes every view and turns SimCLR blur off at 32 px only', (t) => {
  const small = presetForSize(symmetricPreset, 32);
  t.is(stepOf(small.views[0]!, 'crop')!.size, 32);
  t.is(stepOf(small.views[0]!, 'blur')!.p, 0);
  t.is(stepOf(presetForSize(symmetricPreset, 64).views[1]!, 'blur')!.p, 0.5);
  t.is(stepOf(presetForSize(asymmetricPreset, 32).views[0]!, 'blur')!.p, 1);
  t.is(stepOf(symmetricPreset.views[0]!, 'blur')!.p, 0.5, 'the registered preset is not mutated');
  t.throws(() => presetForSize(symmetricPreset, 0), { instanceOf: UserError });
});

test('DINO local crops: scale 0.05–0.4 at 3/7 of the global size', (t) => {
  t.deepEqual(stepOf(dinoLocalView(), 'crop')!.scale, [0.05, 0.4]);
  const views = resolveAugmentation(asymmetricPreset, { size: 224, localCrops: 6 });
  t.is(views.length, 8);
  t.is(stepOf(views[0]!, 'crop')!.size, 224);
  t.is(stepOf(views[7]!, 'crop')!.size, 96);
  t.is(stepOf(resolveAugmentation(asymmetricPreset, { size: 32, localCrops: 1 })[2]!, 'crop')!.size, 14);
});

test('disableSteps removes steps; a removed crop becomes a resize to the same size', (t) => {
  const [view] = resolveAugmentation(symmetricPreset, { size: 32 });
  const off = disableSteps(view!, ['blur', 'rotate', 'crop']);
  t.deepEqual(types(off), ['resize', 'jitter', 'grayscale', 'solarize', 'flip', 'normalize']);
  t.deepEqual(off.steps[0], { type: 'resize', size: 32 });
  t.is(view!.steps.length, 8, 'the input is not mutated');
  const preset = disableSteps(asymmetricPreset, ['normalise', 'solarize']);
  t.is(preset.views.length, 2);
  t.false(preset.views.some((v) => types(v).includes('normalize') || types(v).includes('solarize')));
});

test('unknown step names end in a UserError listing the valid ones', (t) => {
  const error = t.throws(() => disableSteps(symmetricPreset, ['blurr']));
  t.true(isUserError(error));
  t.regex((error as UserError).line, /blurr.*crop, rotate, jitter, grayscale, blur, solarize, flip, normalize/);
  t.throws(() => resolveAugmentation(symmetricPreset, { size: 32, disable: ['colour'] }), { instanceOf: UserError });
});

test('resolveAugmentation applies overrides after sizing, to all views or view by view', (t) => {
  const views = resolveAugmentation(symmetricPreset, { size: 32, overrides: { blur: { p: 0.3 }, rotate: { degrees: 30, fill: 'reflect' } } });
  t.is(stepOf(views[0]!, 'blur')!.p, 0.3);
  t.like(stepOf(views[1]!, 'rotate'), { degrees: 30, p: 0.5, fill: 'reflect' });
  const perView = resolveAugmentation(asymmetricPreset, { size: 32, overrides: [{}, { solarize: { p: 0.5 } }] });
  t.is(stepOf(perView[0]!, 'solarize')!.p, 0);
  t.is(stepOf(perView[1]!, 'solarize')!.p, 0.5);
  t.deepEqual(JSON.parse(JSON.stringify(views)), views);
});

test('bad overrides and bad values are UserErrors naming the field', (t) => {
  const bad = (run: () => unknown, pattern: RegExp) => {
    const error = t.throws(run);
    t.true(isUserError(error));
    t.regex((error as UserError).line, pattern);
  };
  bad(() => resolveAugmentation(cropOnlyPreset, { size: 32, overrides: { blur: { p: 1 } } }), /blur.*no such step.*crop, rotate, normalize/);
  bad(() => resolveAugmentation(symmetricPreset, { size: 32, overrides: { blur: { q: 1 } as never } }), /blur has no field 'q'/);
  bad(() => resolveAugmentation(symmetricPreset, { size: 32, overrides: { flip: { p: 1.5 } } }), /flip\.p must be a probability/);
  bad(() => resolveAugmentation(symmetricPreset, { size: 32, overrides: { crop: { scale: [0.9, 0.1] } } }), /crop\.scale/);
  bad(() => validateViewPipeline({ steps: [{ type: 'sharpen' } as never] }), /unknown step type "sharpen".*crop, resize/);
  bad(() => resolveAugmentation(symmetricPreset, { size: 32, localCrops: -1 }), /localCrops/);
});
