import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { isUserError } from '../src/errors.js';
import { buildImageNetSubset, PAPER_CLASSES_FILE, readClassList } from '../src/data/imagenet-subset.js';
import { readManifest } from '../src/pairs/manifest-file.js';

const MAPPING = [
  'n01440764 tench, Tinca tinca',
  'n01817953 African grey, African gray, Psittacus erithacus',
  'n02012849 crane',
  'n03126707 crane',
  'n02058221 albatross, mollymawk',
].join('\n');

/** An ImageNet-shaped train tree: `images` empty JPEG files per wnid (listing never decodes). */
async function fakeImageNet(images: Record<string, number>): Promise<{ root: string; train: string; mapping: string }> {
  const root = await mkdtemp(join(tmpdir(), 'sempair-imagenet-'));
  const train = join(root, 'ILSVRC', 'Data', 'CLS-LOC', 'train');
  for (const [wnid, count] of Object.entries(images)) {
    await mkdir(join(train, wnid), { recursive: true });
    for (let i = 0; i < count; i++) await writeFile(join(train, wnid, `${wnid}_${i}.JPEG`), '');
  }
  const mapping = join(root, 'LOC_synset_mapping.txt');
  await writeFile(mapping, MAPPING);
  return { root, train, mapping };
}

test('the paper class list ships with core and reads as names', async (t) => {
  const names = await readClassList(PAPER_CLASSES_FILE);
  t.is(names.length, 175);
  t.true(names.includes('African_grey') && names.includes('crane'));
});

test('names map to wnids (underscores as spaces); crane is refused until picked', async (t) => {
  const { train, mapping, root } = await fakeImageNet({ n01817953: 6, n02012849: 6, n02058221: 6 });
  const out = join(root, 'out');
  const error = await t.throwsAsync(() => buildImageNetSubset({ trainDir: train, mappingFile: mapping, classNames: ['African_grey', 'crane'], perClass: 2, seed: 0, outDir: out }));
  t.true(isUserError(error));
  t.regex(error!.message, /'crane' names 2 ImageNet synsets: n02012849 \(crane\); n03126707 \(crane\)/);
  t.regex((error as { fix?: string }).fix ?? '', /--pick crane=n02012849/);
  const result = await buildImageNetSubset({
    trainDir: train, mappingFile: mapping, classNames: ['African_grey', 'crane', 'albatross'], perClass: 3, seed: 0, outDir: out, picks: new Map([['crane', 'n02012849']]),
  });
  t.deepEqual(result.classes.map((c) => c.wnid), ['n01817953', 'n02012849', 'n02058221']);
  t.is(result.pairs, 9);
  const sp = await readManifest(result.semantic);
  const ap = await readManifest(result.augmented);
  t.is(sp.length, 9);
  for (const row of sp) {
    t.not(row.imageA, row.imageB);
    t.true(row.imageA.includes(result.classes.find((c) => c.name === row.className)!.wnid));
  }
  const used = new Set(sp.flatMap((r) => [r.imageA, r.imageB]));
  t.is(used.size, 18, 'every image is used once');
  t.deepEqual(ap.map((r) => [r.className, r.imageA, r.imageB]), sp.map((r) => [r.className, r.imageA, r.imageA]), 'the matched set: the same anchors, each with itself');
  const summary = JSON.parse(await readFile(result.summary, 'utf8')) as { manifests: { semantic: { sha256: string } }; seed: number };
  t.is(summary.manifests.semantic.sha256, createHash('sha256').update(await readFile(result.semantic)).digest('hex'));
  // Same seed, same subset; another seed, another draw.
  const again = await buildImageNetSubset({ trainDir: train, mappingFile: mapping, classNames: ['African_grey'], perClass: 3, seed: 0, outDir: join(root, 'again') });
  const other = await buildImageNetSubset({ trainDir: train, mappingFile: mapping, classNames: ['African_grey'], perClass: 3, seed: 1, outDir: join(root, 'other') });
  const files = async (file: string) => (await readManifest(file)).map((r) => r.imageA.split('/').pop()).join();
  t.is(await files(again.semantic), (await files(result.semantic)).split(',').slice(0, 3).join());
  t.not(await files(other.semantic), await files(again.semantic));
});

test('unknown names, short classes and a bad pick are UserErrors naming the fix', async (t) => {
  const { train, mapping, root } = await fakeImageNet({ n01440764: 3 });
  const run = (classNames: string[], perClass: number, picks?: Map<string, string>) =>
    t.throwsAsync(() => buildImageNetSubset({ trainDir: train, mappingFile: mapping, classNames, perClass, seed: 0, outDir: join(root, 'o'), picks }));
  const unknown = await run(['tenchh'], 1);
  t.true(isUserError(unknown));
  t.regex(unknown!.message, /'tenchh' matches no synonym/);
  const short = await run(['tench'], 2);
  t.regex(short!.message, /has 3 images .* 2 pairs need 4/);
  const badPick = await run(['crane'], 1, new Map([['crane', 'n99999999']]));
  t.regex(badPick!.message, /n99999999 is not in the synset mapping/);
});
