/** A fenced code block of a Markdown document. */
export interface FencedBlock {
  /** Language of the fence (`sh`, `ts`...). */
  lang: string;
  /** Words after the language: `runnable`, `file=demo.mjs`... */
  tags: string[];
  body: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

/** Every fenced block (``` fences) of a Markdown text, with its info string split into language and tags. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  for (const m of markdown.matchAll(/^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [lang = '', ...tags] = m[1]!.trim().split(/\s+/);
    blocks.push({ lang, tags, body: m[2]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

/** The blocks marked to be run by the tests: a fence whose info string has the word `runnable`. */
export function runnableBlocks(markdown: string, lang?: string): FencedBlock[] {
  return fencedBlocks(markdown).filter((b) => b.tags.includes('runnable') && (!lang || b.lang === lang));
}
