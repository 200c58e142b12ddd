// A node:test reporter that writes only the failures, each with its file and error, so the
// end of a long run says why it failed (CI shows the tail of the output; the TAP stream puts a
// failure's details wherever the test happened to finish). Todo tests are left out: they are
// known defects, expected to fail. Used by scripts/run-tests.mjs beside the TAP reporter.
const MAX_MESSAGE = 1500;

function describe(error) {
  const inner = error?.cause ?? error;
  const text = inner?.stack ?? inner?.message ?? String(inner);
  const lines = String(text).split('\n');
  // The message (which may span lines, e.g. an assertion diff) and the first frame of ours.
  const frame = lines.find((l) => /^\s+at .*dist\/(test|src|bench)\//.test(l));
  const head = lines.filter((l) => !/^\s+at /.test(l)).join('\n').slice(0, MAX_MESSAGE);
  return frame ? `${head}\n${frame}` : head;
}

export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail' || event.data.todo) continue;
    const { name, file, details } = event.data;
    // A suite fails because a subtest did: the subtest's own entry says why.
    if (details?.error?.failureType === 'subtestsFailed') continue;
    yield `✖ ${name}\n  file: ${file ?? '?'}\n${describe(details?.error).replace(/^/gm, '    ')}\n\n`;
  }
}
