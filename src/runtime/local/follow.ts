// `weft logs -f`: print a log file, then what is appended to it, until stopped.
import { open, stat } from 'node:fs/promises';

export async function printFile(file: string, out: (s: string) => void, from = 0): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size <= from) return size < from ? 0 : from; // truncated: start over
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    out(buf.toString('utf8'));
    return size;
  } finally {
    await fh.close();
  }
}

/** Prints the file and follows it (polling, as `tail -F` does) until `signal` aborts. */
export async function followFile(file: string, out: (s: string) => void, signal: AbortSignal, pollMs = 250): Promise<void> {
  let pos = await printFile(file, out);
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, pollMs));
    const size = await stat(file).then((s) => s.size, () => pos);
    if (size !== pos) pos = await printFile(file, out, size < pos ? 0 : pos);
  }
}
