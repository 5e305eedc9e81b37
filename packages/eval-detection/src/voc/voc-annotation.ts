import { UserError } from '@sempair/core';
import type { Box } from './voc-types.js';
import { parseXml, xmlChild, xmlChildren, xmlText, XmlSyntaxError, type XmlElement } from './xml.js';

/** One `<object>` of an annotation file, before classes are looked up. */
export interface VocAnnotationObject {
  name: string;
  /** The XML's [xmin, ymin, xmax, ymax] (1-based inclusive pixels), as written. */
  vocBox: Box;
  difficult: boolean;
  truncated: boolean;
}

/** An annotation file's content: `<size>` and its objects in document order. */
export interface VocAnnotation {
  width: number;
  height: number;
  objects: VocAnnotationObject[];
}

const FIX = 'replace it with an intact VOC annotation file';

/**
 * Reads a VOC annotation (`Annotations/<id>.xml`). `file` names the source in errors.
 * `<difficult>` and `<truncated>` default to 0 when absent (detectron2 requires them; a few
 * third-party sets leave them out); `<size>`, `<name>` and the four `<bndbox>` numbers are
 * required. `<part>` boxes (VOC2012 person layout) are not objects and are ignored.
 */
export function parseVocAnnotation(text: string, file: string): VocAnnotation {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new UserError(`${file} is not well-formed XML: ${error.message}`, FIX);
    throw error;
  }
  if (root.name !== 'annotation') throw new UserError(`${file}: the root element is <${root.name}>, not <annotation>`, FIX);
  const size = xmlChild(root, 'size');
  if (!size) throw new UserError(`${file} has no <size>`, FIX);
  const width = wholeNumber(size, 'width', file);
  const height = wholeNumber(size, 'height', file);
  const objects = xmlChildren(root, 'object').map((object, k): VocAnnotationObject => {
    const where = `${file}, object ${k + 1}`;
    const nameElement = xmlChild(object, 'name');
    const name = nameElement ? xmlText(nameElement) : '';
    if (!name) throw new UserError(`${where} has no <name>`, FIX);
    const bndbox = xmlChild(object, 'bndbox');
    if (!bndbox) throw new UserError(`${where} (${name}) has no <bndbox>`, FIX);
    const vocBox: Box = [number(bndbox, 'xmin', where), number(bndbox, 'ymin', where), number(bndbox, 'xmax', where), number(bndbox, 'ymax', where)];
    if (vocBox[2] < vocBox[0] || vocBox[3] < vocBox[1]) {
      throw new UserError(`${where} (${name}) has an empty box [${vocBox.join(', ')}] (xmax < xmin or ymax < ymin)`, FIX);
    }
    return { name, vocBox, difficult: flag(object, 'difficult', where), truncated: flag(object, 'truncated', where) };
  });
  return { width, height, objects };
}

function number(parent: XmlElement, tag: string, where: string): number {
  const element = xmlChild(parent, tag);
  if (!element) throw new UserError(`${where} has no <${tag}> in <${parent.name}>`, FIX);
  const text = xmlText(element);
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UserError(`${where}: <${tag}> is "${text}", not a number`, FIX);
  return value;
}

function wholeNumber(parent: XmlElement, tag: string, where: string): number {
  const value = number(parent, tag, where);
  if (!Number.isInteger(value) || value <= 0) throw new UserError(`${where}: <${tag}> is ${value}, not a positive whole number`, FIX);
  return value;
}

function flag(object: XmlElement, tag: string, where: string): boolean {
  if (!xmlChild(object, tag)) return false;
  const value = number(object, tag, where);
  if (!Number.isInteger(value)) throw new UserError(`${where}: <${tag}> is ${value}, not 0 or 1`, FIX);
  return value !== 0;
}
