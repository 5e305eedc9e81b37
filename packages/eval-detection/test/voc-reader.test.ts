import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { decodeImageFileAsIs, encodeImage, Rng, UserError } from '@sempair/core';
import { parseXml, xmlChild, xmlText } from '../src/voc/xml.js';
import { parseVocAnnotation } from '../src/voc/voc-annotation.js';
import { parseVocParts, vocClassList } from '../src/voc/voc-devkit.js';
import { openVocDataset } from '../src/voc/voc-dataset.js';
import { VOC_CLASSES } from '../src/voc/voc-types.js';
import { classHue, renderScene } from '../src/voc/synthetic-scene.js';
import { SYNTHETIC_VOC_CLASSES, writeSyntheticVoc } from '../src/voc/synthetic-voc.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-voc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// VOC2007's Annotations/000005.xml, shortened: five chairs, two of them difficult, one truncated.
const VOC_000005 = `<annotation>
	<folder>VOC2007</folder>
	<filename>000005.jpg</filename>
	<source>
		<database>The VOC2007 Database</database>
		<annotation>PASCAL VOC2007</annotation>
		<image>flickr</image>
		<flickrid>325991873</flickrid>
	</source>
	<size>
		<width>500</width>
		<height>375</height>
		<depth>3</depth>
	</size>
	<segmented>0</segmented>
	<object>
		<name>chair</name>
		<pose>Rear</pose>
		<truncated>0</truncated>
		<difficult>0</difficult>
		<bndbox>
			<xmin>263</xmin>
			<ymin>211</ymin>
			<xmax>324</xmax>
			<ymax>339</ymax>
		</bndbox>
	</object>
	<object>
		<name>chair</name>
		<pose>Unspecified</pose>
		<truncated>1</truncated>
		<difficult>1</difficult>
		<bndbox>
			<xmin>5</xmin>
			<ymin>244</ymin>
			<xmax>67</xmax>
			<ymax>374</ymax>
		</bndbox>
	</object>
	<object>
		<name>person</name>
		<pose>Unspecified</pose>
		<truncated>0</truncated>
		<difficult>0</difficult>
		<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>500</xmax><ymax>375</ymax></bndbox>
		<part><name>head</name><bndbox><xmin>10</xmin><ymin>10</ymin><xmax>20</xmax><ymax>20</ymax></bndbox></part>
	</object>
</annotation>
`;

test('xml: elements, attributes, entities, CDATA and comments; nesting errors give the line', (t) => {
  const root = parseXml('\ufeff<?xml version="1.0"?>\n<!-- c --><!DOCTYPE a>\n<a x="1 &amp; 2" y=\'q\'><b>A &lt;&#66;&#x43;&gt; <![CDATA[<raw>]]></b><c/><!-- d --></a>\n');
  t.is(root.name, 'a');
  t.deepEqual(root.attributes, { x: '1 & 2', y: 'q' });
  t.is(xmlText(xmlChild(root, 'b')!), 'A <BC> <raw>');
  t.truthy(xmlChild(root, 'c'));
  t.throws(() => parseXml('<a>\n<b></a>'), { message: /<\/a> closes <b> \(line 2\)/ });
  t.throws(() => parseXml('<a>&nbsp;</a>'), { message: /unknown entity &nbsp;/ });
  t.throws(() => parseXml('<a></a><b/>'), { message: /content after the root/ });
  t.throws(() => parseXml('<a>'), { message: /<a> is not closed/ });
  t.throws(() => parseXml(''), { message: /empty/ });
});

test('annotation: objects, 1-based boxes, difficult and truncated flags; parts are not objects', (t) => {
  const a = parseVocAnnotation(VOC_000005, '000005.xml');
  t.is(a.width, 500);
  t.is(a.height, 375);
  t.deepEqual(a.objects.map((o) => o.name), ['chair', 'chair', 'person']);
  t.deepEqual(a.objects[0]!.vocBox, [263, 211, 324, 339]);
  t.deepEqual(a.objects.map((o) => o.difficult), [false, true, false]);
  t.deepEqual(a.objects.map((o) => o.truncated), [false, true, false]);
  t.deepEqual(a.objects[2]!.vocBox, [1, 1, 500, 375]);
});

test('annotation: malformed files end in one UserError naming the file and what is wrong', (t) => {
  const bad = (text: string, message: RegExp): void => {
    const error = t.throws(() => parseVocAnnotation(text, 'Annotations/x.xml'), { instanceOf: UserError, message });
    t.regex(error!.message, /Annotations\/x\.xml/);
  };
  bad('<annotation><size><width>5</width>', /not well-formed XML.*not closed/);
  bad('<annot/>', /root element is <annot>/);
  bad('<annotation><object/></annotation>', /no <size>/);
  bad('<annotation><size><width>5</width><height>4.5</height></size></annotation>', /<height> is 4\.5, not a positive whole number/);
  bad('<annotation><size><width>5</width><height>4</height></size><object><bndbox/></object></annotation>', /object 1 has no <name>/);
  bad('<annotation><size><width>5</width><height>4</height></size><object><name>dog</name><bndbox><xmin>a</xmin></bndbox></object></annotation>', /object 1: <xmin> is "a", not a number/);
  bad('<annotation><size><width>5</width><height>4</height></size><object><name>dog</name><bndbox><xmin>3</xmin><ymin>1</ymin><xmax>2</xmax><ymax>4</ymax></bndbox></object></annotation>', /empty box/);
});

test('parts: YEAR:SPLIT lists, 2007+2012 shorthand, one-line errors', (t) => {
  t.deepEqual(parseVocParts('VOC2007:trainval,VOC2012:trainval'), [{ year: 'VOC2007', split: 'trainval' }, { year: 'VOC2012', split: 'trainval' }]);
  t.deepEqual(parseVocParts('2007+2012:trainval'), [{ year: 'VOC2007', split: 'trainval' }, { year: 'VOC2012', split: 'trainval' }]);
  t.deepEqual(parseVocParts(' 2007:test '), [{ year: 'VOC2007', split: 'test' }]);
  t.throws(() => parseVocParts('2007'), { instanceOf: UserError, message: /"2007" is not YEAR:SPLIT/ });
  t.throws(() => parseVocParts('2007:test,VOC2007:test'), { instanceOf: UserError, message: /listed twice/ });
  t.throws(() => parseVocParts(''), { instanceOf: UserError });
});

test('synthetic VOC: the real devkit layout, seeded, read back by the reader with exact boxes', async (t) => {
  const dir = tempDir(t);
  const summary = await writeSyntheticVoc({ out: join(dir, 'a'), images: 12, size: 64, seed: 3, difficultRate: 0.3 });
  t.deepEqual(summary.classes, [...SYNTHETIC_VOC_CLASSES]);
  t.deepEqual(summary.splits, { train: 3, val: 3, trainval: 6, test: 6 });
  const root = join(dir, 'a');
  for (const file of ['VOC2007/ImageSets/Main/trainval.txt', 'VOC2007/ImageSets/Main/ring_test.txt', 'VOC2007/Annotations/000001.xml', 'VOC2007/JPEGImages/000012.jpg', 'classes.txt']) {
    t.notThrows(() => readFileSync(join(root, file)), file);
  }
  t.deepEqual(await vocClassList(root), { classes: [...SYNTHETIC_VOC_CLASSES], source: join(root, 'classes.txt') });

  const test07 = await openVocDataset(root, parseVocParts('2007:test'));
  t.deepEqual(test07.images.map((i) => i.id), ['000007', '000008', '000009', '000010', '000011', '000012']);
  const objects = test07.images.flatMap((i) => i.objects);
  t.true(objects.length >= 6);
  t.true(objects.some((o) => o.difficult));
  for (const image of test07.images) {
    t.true(image.width >= 48 && image.width <= 64 && image.height >= 48 && image.height <= 64);
    for (const o of image.objects) {
      t.is(o.cls, SYNTHETIC_VOC_CLASSES[o.classIndex]);
      t.deepEqual(o.box, [o.vocBox[0] - 1, o.vocBox[1] - 1, o.vocBox[2], o.vocBox[3]]);
      t.true(o.vocBox[0] >= 1 && o.vocBox[2] <= image.width && o.vocBox[1] >= 1 && o.vocBox[3] <= image.height);
    }
  }

  // The pixels inside a non-difficult box carry the class's hue: the object is really there.
  const image = test07.images.find((i) => i.objects.some((o) => !o.difficult))!;
  const decoded = await test07.loadImage(image);
  t.is(decoded.data.length, image.width * image.height * 3);
  const object = image.objects.find((o) => !o.difficult)!;
  t.true(saturatedShare(decoded.data, decoded.width, object.box) > 0.2);

  // Same seed → the same files; another seed → another set.
  await writeSyntheticVoc({ out: join(dir, 'b'), images: 12, size: 64, seed: 3, difficultRate: 0.3 });
  await writeSyntheticVoc({ out: join(dir, 'c'), images: 12, size: 64, seed: 4, difficultRate: 0.3 });
  const xml = (name: string): string => readFileSync(join(dir, name, 'VOC2007/Annotations/000003.xml'), 'utf8');
  t.is(xml('b'), xml('a'));
  t.not(xml('c'), xml('a'));
  t.deepEqual(readFileSync(join(dir, 'b/VOC2007/JPEGImages/000003.jpg')), readFileSync(join(root, 'VOC2007/JPEGImages/000003.jpg')));
  await t.throwsAsync(writeSyntheticVoc({ out: root, images: 4, size: 64, seed: 1 }), { instanceOf: UserError, message: /is not empty/ });
});

/** Share of the box's pixels that are strongly coloured (objects are, backgrounds are muted). */
function saturatedShare(rgb: Uint8Array, width: number, [x1, y1, x2, y2]: number[]): number {
  let n = 0;
  let hits = 0;
  for (let y = y1!; y < y2!; y++) {
    for (let x = x1!; x < x2!; x++) {
      const o = (y * width + x) * 3;
      const max = Math.max(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
      const min = Math.min(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!);
      n++;
      if (max > 60 && (max - min) / max > 0.5) hits++;
    }
  }
  return hits / n;
}

test('synthetic scene: every class has its own hue, boxes are the tight box of the covered pixels', (t) => {
  const hues = Array.from({ length: 20 }, (_, k) => classHue(k));
  const gaps = hues.flatMap((h, i) => hues.slice(i + 1).map((g) => Math.min(Math.abs(h - g), 1 - Math.abs(h - g))));
  t.true(Math.min(...gaps) > 0.02);
  const scene = renderScene(new Rng(9), { width: 80, height: 64, classCount: 4, maxObjects: 4, minScale: 0.3, maxScale: 0.5, difficultRate: 0, truncatedRate: 0 });
  t.true(scene.objects.length >= 1);
  for (const o of scene.objects) {
    const [x0, y0, x1, y1] = o.pixels;
    t.true(x0 >= 0 && y0 >= 0 && x1 < 80 && y1 < 64 && x1 - x0 >= 8 && y1 - y0 >= 8);
    // Diameter 30–50 % of the shorter side (64 px): 19–32 px, a little more at the tips.
    t.true(Math.max(x1 - x0, y1 - y0) + 1 <= 0.5 * 64 * 1.3);
  }
});

/** Hue in [0, 1) of a mean RGB colour. */
function hueOf(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return h / 6;
}

test('synthetic scene: random colours keep every object and box, only the shape tells the class', (t) => {
  const options = { width: 80, height: 64, classCount: 4, maxObjects: 3, minScale: 0.3, maxScale: 0.5, difficultRate: 0, truncatedRate: 0 };
  const hues: Record<'class' | 'random', number[]> = { class: [], random: [] };
  for (let seed = 0; seed < 30; seed++) {
    const byClass = renderScene(new Rng(seed), { ...options, colours: 'class' });
    const random = renderScene(new Rng(seed), { ...options, colours: 'random' });
    // One draw for the hue either way: the same objects in the same places.
    t.deepEqual(random.objects, byClass.objects);
    for (const o of byClass.objects.filter((x) => x.classIndex === 0)) {
      const [x0, y0, x1, y1] = o.pixels;
      for (const [name, scene] of [['class', byClass], ['random', random]] as const) {
        const other = scene === random ? byClass : random;
        const sum = [0, 0, 0];
        let n = 0;
        // Object pixels: where the two colourings differ (the background is the same).
        for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
          const i = (y * 80 + x) * 3;
          if (Math.max(...[0, 1, 2].map((c) => Math.abs(scene.rgb[i + c]! - other.rgb[i + c]!))) < 40) continue;
          for (let c = 0; c < 3; c++) sum[c]! += scene.rgb[i + c]!;
          n++;
        }
        if (n > 20) hues[name].push(hueOf(sum[0]! / n, sum[1]! / n, sum[2]! / n));
      }
    }
  }
  const circularDistance = (a: number, b: number): number => Math.min(Math.abs(a - b), 1 - Math.abs(a - b));
  t.true(hues.class.length >= 8 && hues.random.length >= 8);
  // A hue per class: every class-0 object near classHue(0); random: spread round the circle.
  t.true(hues.class.every((h) => circularDistance(h, classHue(0)) < 0.06), `class hues ${hues.class.join(', ')}`);
  const spread = Math.max(...hues.random.flatMap((a) => hues.random.map((b) => circularDistance(a, b))));
  t.true(spread > 0.35, `random hues ${hues.random.join(', ')}`);
});

test('VOC2007 + VOC2012 trainval are read as one set, in order, with VOC class lists', async (t) => {
  const dir = tempDir(t);
  const classes = ['dog', 'cat', 'person'];
  await writeSyntheticVoc({ out: join(dir, 'root'), images: 6, size: 48, seed: 1, classes });
  await writeSyntheticVoc({ out: join(dir, 'other'), images: 4, size: 48, seed: 2, classes, year: 'VOC2012' });
  renameSync(join(dir, 'other/VOC2012'), join(dir, 'root/VOC2012'));
  const root = join(dir, 'root');
  const both = await openVocDataset(root, parseVocParts('2007+2012:trainval'));
  t.deepEqual(both.images.map((i) => `${i.year}/${i.id}`), ['VOC2007/000001', 'VOC2007/000002', 'VOC2007/000003', 'VOC2012/000001', 'VOC2012/000002']);
  t.deepEqual(both.classes, classes);
  const last = both.images[4]!;
  t.is(both.imagePath(last), join(root, 'VOC2012/JPEGImages/000002.jpg'));
  t.is((await both.loadImage(last)).width, last.width);
  // With VOC's twenty classes, dog/cat/person get their VOC indices.
  const voc = await openVocDataset(root, parseVocParts('2012:trainval'), { classes: VOC_CLASSES });
  for (const o of voc.images.flatMap((i) => i.objects)) t.is(VOC_CLASSES[o.classIndex], o.cls);
  t.true(voc.images.flatMap((i) => i.objects).length > 0);
  // A narrower list refuses other classes unless asked to skip them.
  await t.throwsAsync(openVocDataset(root, parseVocParts('2007:trainval,2012:trainval'), { classes: ['dog'] }), { instanceOf: UserError, message: /Annotations\/0000\d\d\.xml, object \d+: class "(cat|person)" is not one of the 1 classes/ });
  const dogs = await openVocDataset(root, parseVocParts('2007:trainval'), { classes: ['dog'], unknownClasses: 'skip' });
  t.true(dogs.images.flatMap((i) => i.objects).every((o) => o.cls === 'dog' && o.classIndex === 0));
  await t.throwsAsync(openVocDataset(root, parseVocParts('2007:train,2007:trainval')), { instanceOf: UserError, message: /VOC2007\/000001 is in both VOC2007:train and VOC2007:trainval/ });
});

test('missing folders, files and mismatched images end in one line naming the path', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'devkit');
  await writeSyntheticVoc({ out: root, images: 4, size: 48, seed: 5 });
  await t.throwsAsync(openVocDataset(join(dir, 'nope'), parseVocParts('2007:test')), { instanceOf: UserError, message: /VOC root .*nope is not a folder/ });
  const noYear = await t.throwsAsync(openVocDataset(root, parseVocParts('2012:trainval')), { instanceOf: UserError, message: /VOC2012 not found \(.* holds VOC2007\)/ });
  t.regex((noYear as UserError).fix!, /VOCdevkit folder itself/);
  const noSplit = await t.throwsAsync(openVocDataset(root, parseVocParts('2007:minival')), { instanceOf: UserError, message: /image set .*ImageSets\/Main\/minival\.txt not found/ });
  t.is((noSplit as UserError).fix, 'splits of VOC2007: test, train, trainval, val');

  unlinkSync(join(root, 'VOC2007/Annotations/000002.xml'));
  await t.throwsAsync(openVocDataset(root, parseVocParts('2007:trainval')), { instanceOf: UserError, message: /annotation .*000002\.xml is missing \(image 000002 is listed in .*trainval\.txt\)/ });
  writeFileSync(join(root, 'VOC2007/Annotations/000002.xml'), '<annotation><size>');
  await t.throwsAsync(openVocDataset(root, parseVocParts('2007:trainval')), { instanceOf: UserError, message: /000002\.xml is not well-formed XML/ });

  const test07 = await openVocDataset(root, parseVocParts('2007:test'));
  const [first, second] = test07.images;
  unlinkSync(test07.imagePath(first!));
  await t.throwsAsync(test07.loadImage(first!), { instanceOf: UserError, message: /cannot decode image .*000003\.jpg/ });
  writeFileSync(test07.imagePath(second!), await encodeImage(new Uint8Array(10 * 7 * 3), { width: 10, height: 7, channels: 3 }, { type: 'jpeg' }));
  await t.throwsAsync(test07.loadImage(second!), { instanceOf: UserError, message: /000004\.jpg is 10×7 but its annotation says \d+×\d+/ });

  mkdirSync(join(dir, 'empty/VOC2007/ImageSets/Main'), { recursive: true });
  writeFileSync(join(dir, 'empty/VOC2007/ImageSets/Main/test.txt'), '\n');
  await t.throwsAsync(openVocDataset(join(dir, 'empty'), parseVocParts('2007:test'), { classes: VOC_CLASSES }), { instanceOf: UserError, message: /test\.txt is empty/ });
  writeFileSync(join(dir, 'empty/VOC2007/ImageSets/Main/test.txt'), '000001\n000001\n');
  await t.throwsAsync(openVocDataset(join(dir, 'empty'), parseVocParts('2007:test'), { classes: VOC_CLASSES }), { instanceOf: UserError, message: /lists image 000001 twice/ });
});

test('decodeImageFileAsIs and encodeImage round-trip through PNG exactly', async (t) => {
  const dir = tempDir(t);
  const pixels = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
  const path = join(dir, 'x.png');
  writeFileSync(path, await encodeImage(pixels, { width: 5, height: 3, channels: 3 }, { type: 'png' }));
  const decoded = await decodeImageFileAsIs(path);
  t.deepEqual({ width: decoded.width, height: decoded.height }, { width: 5, height: 3 });
  t.deepEqual([...decoded.data], [...pixels]);
});
