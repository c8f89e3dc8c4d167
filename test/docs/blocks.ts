/** A fenced code block of a Markdown document. */
export interface FencedBlock {
  /** Language of the fence (`sh`, `ts`...). */
  lang: string;
  /** Words after the language: `runnable`, `file=demo.mjs`... */
  tags: string[];
  /** The whole info string after the language (a `not-runnable:` reason is read from it). */
  info: string;
  body: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

/** Every fenced block (``` fences) of a Markdown text, with its info string split into language and tags. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  for (const m of markdown.matchAll(/^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [lang = '', ...tags] = m[1]!.trim().split(/\s+/);
    blocks.push({ lang, tags, info: tags.join(' '), body: m[2]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

/** The blocks marked to be run by the tests: a fence whose info string has the word `runnable`. */
export function runnableBlocks(markdown: string, lang?: string): FencedBlock[] {
  return fencedBlocks(markdown).filter((b) => b.tags.includes('runnable') && (!lang || b.lang === lang));
}

/** Languages of examples a reader could run: each such block is `runnable` or says why it is not. */
export const EXAMPLE_LANGS = ['sh', 'bash', 'shell', 'console', 'ts', 'js', 'mjs', 'yaml'];

/** The reason of a block marked ```sh not-runnable: <reason>, or undefined. */
export function notRunnableReason(b: FencedBlock): string | undefined {
  const m = /(?:^|\s)not-runnable:\s*(.*)$/.exec(b.info);
  return m ? m[1]!.trim() : undefined;
}

/** The test file named by `run-by=<file>`: a runnable block another test runs (with its own lab or package). */
export function runBy(b: FencedBlock): string | undefined {
  return b.tags.find((t) => t.startsWith('run-by='))?.slice('run-by='.length);
}
