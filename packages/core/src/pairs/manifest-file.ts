import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../errors.js';

/** One curated pair as written in a manifest: a class name and two image references. */
export interface ManifestRow {
  className: string;
  imageA: string;
  imageB: string;
  /** 1-based line number, for error messages. */
  line: number;
}

/** Splits one CSV line, honouring double-quoted fields ("a, b" and "" escapes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  out.push(field.trim());
  return out;
}

/**
 * Reads a curated-pairs manifest: CSV with columns `class, image_a, image_b` (a header row
 * with those names is optional) or JSONL with objects `{class, image_a, image_b}`.
 */
export async function readManifest(path: string): Promise<ManifestRow[]> {
  if (!existsSync(path)) {
    throw new UserError(`manifest not found: ${path}`, 'pass --pair-options manifest=<path to a CSV or JSONL of class,image_a,image_b>');
  }
  const text = await readFile(path, 'utf8');
  const jsonl = extname(path).toLowerCase() === '.jsonl';
  const rows: ManifestRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw || raw.startsWith('#')) continue;
    let fields: string[];
    if (jsonl) {
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new UserError(`manifest ${path}, line ${i + 1}: not a JSON object`, 'write one {"class", "image_a", "image_b"} object per line');
      }
      fields = [obj.class, obj.image_a, obj.image_b].map((v) => (v === undefined || v === null ? '' : String(v)));
    } else {
      fields = splitCsvLine(raw);
      if (rows.length === 0 && fields[0]?.toLowerCase() === 'class' && fields[1]?.toLowerCase() === 'image_a') continue;
    }
    if (fields.length < 3 || fields.slice(0, 3).some((f) => f === '')) {
      throw new UserError(
        `manifest ${path}, line ${i + 1}: expected class, image_a, image_b`,
        'fix that line; each row names a class and two images of it',
      );
    }
    rows.push({ className: fields[0]!, imageA: fields[1]!, imageB: fields[2]!, line: i + 1 });
  }
  if (rows.length === 0) throw new UserError(`manifest ${path} lists no pairs`, 'add rows of class, image_a, image_b');
  return rows;
}
