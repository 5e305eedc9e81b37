import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDecodableImageName } from './image-decode.js';

/** Code-point order, as Python's sorted() (torchvision's ImageFolder sorts class names so). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether an entry is a directory (or a file), following symbolic links. */
async function kindOf(dir: string, entry: Dirent): Promise<'dir' | 'file' | 'other'> {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink() && entry.isFIFO()) return 'other';
  try {
    const s = await stat(join(dir, entry.name));
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'other'; // a dangling link
  }
}

/** Names of the visible sub-folders of `dir`, sorted. */
export async function listSubfolders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.name.startsWith('.') && (await kindOf(dir, entry)) === 'dir') names.push(entry.name);
  }
  return names.sort(byCodePoint);
}

/**
 * Image files under `dir` (any depth, hidden entries skipped), by extension only — nothing is
 * opened — as paths relative to `dir`, sorted by folder then name.
 */
export async function listImageFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  entries.sort((a, b) => byCodePoint(a.name, b.name));
  const out: string[] = [];
  for (const entry of entries) {
    const kind = await kindOf(dir, entry);
    if (kind === 'file' && isDecodableImageName(entry.name)) out.push(prefix + entry.name);
    else if (kind === 'dir') out.push(...(await listImageFiles(join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return out;
}
