import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** One ImageNet class: its WordNet id and its synonyms, as in LOC_synset_mapping.txt. */
export interface Synset {
  wnid: string;
  names: string[];
}

/** Reads ImageNet's `LOC_synset_mapping.txt`: lines `n01440764 tench, Tinca tinca`. */
export async function readSynsetMapping(file: string): Promise<Synset[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError(`cannot read the synset mapping ${file}`, 'pass --mapping <LOC_synset_mapping.txt> (it ships with the ImageNet LOC download)');
  });
  const synsets: Synset[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const match = /^(n\d{8})\s+(.+)$/.exec(line.trim());
    if (!match) throw new UserError(`${file} line ${i + 1} is not "<wnid> <names>"`, 'pass the LOC_synset_mapping.txt of the ImageNet download');
    synsets.push({ wnid: match[1]!, names: match[2]!.split(',').map((n) => n.trim()).filter(Boolean) });
  });
  return synsets;
}

/** Class names compare case-insensitively with `_` read as a space ("African_grey" = "African grey"). */
function key(name: string): string {
  return name.replace(/_/g, ' ').trim().toLowerCase();
}

export interface ResolvedClass {
  name: string;
  wnid: string;
}

/**
 * Maps class names to WordNet ids: a name matches a synset when it equals one of its synonyms.
 * A name that matches several synsets (ImageNet's two `crane`s) is refused until `picks` names
 * the id; a name that matches none is refused with the closest synonyms as a hint.
 */
export function resolveClasses(names: readonly string[], synsets: readonly Synset[], picks: ReadonlyMap<string, string> = new Map()): ResolvedClass[] {
  const byWnid = new Map(synsets.map((s) => [s.wnid, s]));
  return names.map((name) => {
    const picked = picks.get(name) ?? picks.get(key(name));
    if (picked) {
      if (!byWnid.has(picked)) throw new UserError(`--pick ${name}=${picked}: ${picked} is not in the synset mapping`, 'pick one of the ids the mapping lists');
      return { name, wnid: picked };
    }
    const matches = synsets.filter((s) => s.names.some((n) => key(n) === key(name)));
    if (matches.length === 1) return { name, wnid: matches[0]!.wnid };
    if (matches.length > 1) {
      const options = matches.map((s) => `${s.wnid} (${s.names.join(', ')})`).join('; ');
      throw new UserError(`class '${name}' names ${matches.length} ImageNet synsets: ${options}`, `choose one with --pick ${name}=${matches[0]!.wnid}`);
    }
    const near = synsets.filter((s) => s.names.some((n) => key(n).includes(key(name)) || key(name).includes(key(n)))).slice(0, 3);
    const hint = near.length ? `did you mean ${near.map((s) => `${s.wnid} (${s.names[0]})`).join(', ')}? ` : '';
    throw new UserError(`class '${name}' matches no synonym in the synset mapping`, `${hint}fix the name, or give its id with --pick ${name}=<wnid>`);
  });
}
