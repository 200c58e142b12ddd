// Inputs of `weft inject` and `weft uninject`: files, directories (their *.yaml, *.yml, *.json,
// recursively, in name order) and "-" for stdin. Not a command: the two command files use it.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../lib/errors.js';

export interface Input {
  readonly source: string;
  readonly text: string;
}

async function stdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function expand(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { cause: err });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const p = join(path, name);
    if ((await stat(p)).isDirectory()) out.push(...(await expand(p)));
    else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
  }
  return out;
}

export async function readInputs(paths: readonly string[]): Promise<Input[]> {
  if (paths.length === 0) throw new ConfigError('give files, directories or - (stdin)');
  const out: Input[] = [];
  for (const p of paths) {
    if (p === '-') out.push({ source: '<stdin>', text: await stdin() });
    else for (const f of await expand(p)) out.push({ source: f, text: await readFile(f, 'utf8') });
  }
  return out;
}
