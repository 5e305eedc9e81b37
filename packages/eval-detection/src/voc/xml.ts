/**
 * A small, strict XML reader for annotation files: elements, attributes, text, CDATA, the
 * five predefined entities and numeric character references. Prolog, processing
 * instructions, comments and a DOCTYPE (without an internal subset) are skipped. It builds
 * an element tree and checks that tags nest; it does not validate or resolve external
 * entities (so it never reads another file).
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

/** A malformed document; `line` is 1-based. */
export class XmlSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = 'XmlSyntaxError';
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

export function parseXml(text: string): XmlElement {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const lineAt = (at: number): number => {
    let line = 1;
    for (let k = 0; k < at && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
    return line;
  };
  const fail = (what: string, at = pos): never => {
    throw new XmlSyntaxError(what, lineAt(at));
  };
  const skipUntil = (end: string, what: string): void => {
    const at = text.indexOf(end, pos);
    if (at < 0) fail(`unterminated ${what}`);
    pos = at + end.length;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) fail('expected a name');
    pos += match![0].length;
    return match![0];
  };
  const spaces = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail('a bare & (write &amp;)', at);
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(code >= 0 && code <= 0x10ffff)) fail(`character reference ${whole} out of range`, at);
        return String.fromCodePoint(code);
      }
      const value = ENTITIES[ref];
      if (value === undefined) fail(`unknown entity ${whole}`, at);
      return value!;
    });
  /** Skips comments, processing instructions, a DOCTYPE and white space between elements. */
  const misc = (): void => {
    for (;;) {
      spaces();
      if (text.startsWith('<!--', pos)) skipUntil('-->', 'comment');
      else if (text.startsWith('<?', pos)) skipUntil('?>', 'processing instruction');
      else if (text.startsWith('<!DOCTYPE', pos)) {
        if (text.indexOf('[', pos) >= 0 && text.indexOf('[', pos) < text.indexOf('>', pos)) fail('a DOCTYPE with an internal subset is not supported');
        skipUntil('>', 'DOCTYPE');
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (text[pos] !== '<') fail('expected an element');
    pos++;
    const node: XmlElement = { name: name(), attributes: {}, children: [] };
    for (;;) {
      spaces();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return node;
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      const attribute = name();
      spaces();
      if (text[pos] !== '=') fail(`attribute ${attribute} has no value`);
      pos++;
      spaces();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attribute} is not quoted`);
      const end = text.indexOf(quote!, pos + 1);
      if (end < 0) fail(`attribute ${attribute} is not closed`);
      node.attributes[attribute] = decode(text.slice(pos + 1, end), pos);
      pos = end + 1;
    }
    for (;;) {
      if (pos >= text.length) fail(`<${node.name}> is not closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== node.name) fail(`</${closing}> closes <${node.name}>`);
        spaces();
        if (text[pos] !== '>') fail(`</${closing} is not closed with >`);
        pos++;
        return node;
      }
      if (text.startsWith('<!--', pos)) skipUntil('-->', 'comment');
      else if (text.startsWith('<?', pos)) skipUntil('?>', 'processing instruction');
      else if (text.startsWith('<![CDATA[', pos)) {
        const start = pos + 9;
        skipUntil(']]>', 'CDATA section');
        node.children.push(text.slice(start, pos - 3));
      } else if (text[pos] === '<') node.children.push(element());
      else {
        const end = text.indexOf('<', pos);
        const stop = end < 0 ? text.length : end;
        node.children.push(decode(text.slice(pos, stop), pos));
        pos = stop;
      }
    }
  };

  misc();
  if (pos >= text.length) fail('the document is empty');
  const root = element();
  misc();
  if (pos < text.length) fail('content after the root element');
  return root;
}

/** The first child element called `name`, if any. */
export function xmlChild(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) if (typeof child !== 'string' && child.name === name) return child;
  return undefined;
}

/** All child elements called `name`, in document order. */
export function xmlChildren(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === name);
}

/** The element's text (its text and CDATA children joined), trimmed. */
export function xmlText(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === 'string').join('').trim();
}
