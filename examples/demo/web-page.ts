// The page `web` serves at /: plain HTML and vanilla JS, no build step. It lists the catalog's
// items with a vote button each, and shows the results live from /api/results/stream
// (falling back to polling /api/results when the stream breaks).

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>weft demo: vote for your favourite thread</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; }
  #items { display: grid; grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr)); gap: .5rem; padding: 0; }
  #items li { list-style: none; }
  #items button { width: 100%; padding: .6rem; font-size: 1rem; border: 1px solid #bbb; border-radius: .4rem; background: #fafafa; cursor: pointer; }
  #items .emoji { display: block; font-size: 2rem; }
  #status { min-height: 1.4rem; }
  #status.error { color: #b00020; }
  #results li { font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>weft demo: vote for your favourite thread</h1>
<p>Each vote goes from this page to <code>web</code>, which asks <code>catalog</code> (HTTP/1.1)
about the item and <code>voting</code> (gRPC) to count it. One item fails on purpose sometimes.</p>
<ul id="items"><li>loading items…</li></ul>
<p id="status" role="status"></p>
<h2>Results</h2>
<ol id="results"></ol>
<script>
'use strict';
const itemsEl = document.getElementById('items');
const statusEl = document.getElementById('status');
const resultsEl = document.getElementById('results');

function setStatus(text, isError) {
  statusEl.textContent = text;
  statusEl.className = isError ? 'error' : '';
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

function renderItems(items) {
  itemsEl.replaceChildren(...items.map((item) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.dataset.id = item.id;
    const e = document.createElement('span');
    e.className = 'emoji';
    e.textContent = item.emoji;
    b.append(e, item.name);
    b.addEventListener('click', () => vote(item));
    li.append(b);
    return li;
  }));
}

function renderResults(results) {
  resultsEl.replaceChildren(...results.filter((r) => r.votes > 0).map((r) => {
    const li = document.createElement('li');
    li.textContent = r.emoji + ' ' + r.name + ': ' + r.votes;
    return li;
  }));
}

async function vote(item) {
  try {
    const r = await getJson('/api/vote/' + encodeURIComponent(item.id), { method: 'POST' });
    setStatus('Voted for ' + item.name + ' (' + r.votes + ' votes).', false);
  } catch (err) {
    setStatus('Vote for ' + item.name + ' failed: ' + err.message, true);
  }
}

let polling;
function watchResults() {
  const es = new EventSource('/api/results/stream');
  es.onmessage = (ev) => renderResults(JSON.parse(ev.data).results);
  es.onerror = () => {
    es.close();
    if (!polling) polling = setInterval(() => getJson('/api/results').then((b) => renderResults(b.results), () => {}), 2000);
  };
}

getJson('/api/items').then((b) => renderItems(b.items), (err) => {
  itemsEl.replaceChildren();
  setStatus('Could not load items: ' + err.message, true);
});
watchResults();
</script>
</body>
</html>
`;
