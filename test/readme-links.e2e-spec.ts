import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';

// github-slugger 1.x (CommonJS, no bundled types) makes heading ids exactly as GitHub renders them,
// including the -1, -2 suffixes of repeated headings.
const GithubSlugger = createRequire(__filename)('github-slugger') as new () => { slug(text: string): string };

const ROOT = join(__dirname, '..');
/** The documentation a reader browses: the front door, docs/, and the READMEs of the chart and the client. */
const SOURCES = ['README.md', 'docs', 'helm', 'clients'];

/** Every Markdown file under the sources, skipping installed and built trees. */
function markdownFiles(): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules' && entry !== 'dist') visit(join(path, entry));
    } else if (path.endsWith('.md')) files.push(path);
  };
  for (const source of SOURCES) if (existsSync(join(ROOT, source))) visit(join(ROOT, source));
  return files;
}

/** The text a heading renders to (what GitHub slugs): code spans keep their content, links their label. */
function plainText(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((token) => ('tokens' in token && token.tokens ? plainText(token.tokens) : 'text' in token ? String(token.text) : ''))
    .join('');
}

interface ParsedDoc {
  anchors: Set<string>;
  links: string[];
}

const parsed = new Map<string, ParsedDoc>();

/** Heading anchors and link targets of one Markdown file, from marked's lexer (so code blocks are not read as links). */
function parse(path: string): ParsedDoc {
  let doc = parsed.get(path);
  if (!doc) {
    const tokens = new Lexer().lex(readFileSync(path, 'utf8'));
    const slugger = new GithubSlugger();
    const anchors = new Set<string>();
    const links: string[] = [];
    const walk = (list: Token[]) => {
      for (const token of list) {
        if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
        if (token.type === 'link' || token.type === 'image') links.push((token as Tokens.Link).href);
        if (token.type === 'html') for (const m of token.raw.matchAll(/\b(?:href|src)="([^"]+)"/g)) links.push(m[1]);
        if (token.type === 'list') walk((token as Tokens.List).items);
        if (token.type === 'table') {
          const table = token as Tokens.Table;
          for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens);
        }
        if ('tokens' in token && token.tokens) walk(token.tokens);
      }
    };
    walk(tokens);
    doc = { anchors, links };
    parsed.set(path, doc);
  }
  return doc;
}

/** Why a relative link from `from` is dangling, or null when its file (and heading, if any) exists. */
function danglingReason(from: string, href: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return null; // http:, https:, mailto: …
  const [pathPart, anchor] = href.split('#', 2) as [string, string | undefined];
  const target = pathPart ? resolve(dirname(from), decodeURIComponent(pathPart)) : from;
  if (!existsSync(target)) return 'no such file';
  if (anchor === undefined || anchor === '') return null;
  if (!target.endsWith('.md')) return null;
  return parse(target).anchors.has(decodeURIComponent(anchor)) ? null : 'no such heading';
}

describe('documentation links', () => {
  const files = markdownFiles();

  it('finds the README and the docs/ pages', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toContain('README.md');
    expect(names.filter((n) => n.startsWith('docs/')).length).toBeGreaterThan(5);
  });

  it('no relative link or anchor in README.md, docs/, the chart or the client READMEs is dangling', () => {
    const dangling = files.flatMap((file) =>
      parse(file)
        .links.map((href) => ({ href, reason: danglingReason(file, href) }))
        .filter((link) => link.reason !== null)
        .map((link) => `${relative(ROOT, file)}: (${link.href}) ${link.reason}`),
    );
    expect(dangling).toEqual([]);
  });

  it('every page under docs/ can be reached from the README by following links', () => {
    const reached = new Set<string>();
    const queue = [join(ROOT, 'README.md')];
    while (queue.length > 0) {
      const file = queue.shift()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const href of parse(file).links) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) continue;
        const target = resolve(dirname(file), decodeURIComponent(href.split('#')[0]));
        if (target.endsWith('.md') && existsSync(target)) queue.push(target);
      }
    }
    const docs = files.filter((f) => relative(ROOT, f).startsWith('docs/'));
    expect(docs.filter((f) => !reached.has(f)).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('the check itself notices a missing file and a missing heading', () => {
    const readme = join(ROOT, 'README.md');
    expect(danglingReason(readme, 'docs/no-such-page.md')).toBe('no such file');
    expect(danglingReason(readme, '#no-such-heading')).toBe('no such heading');
    expect(danglingReason(readme, 'https://example.com/x')).toBeNull();
    expect(danglingReason(readme, 'docs/security.md#anchor-authentication-auth_mode')).toBeNull();
  });
});
