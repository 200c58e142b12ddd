// The dashboard's one HTML page and its stylesheet, served as they are (no CDN, no fonts from
// elsewhere: the page works offline). The browser modules under ui/ fill <main> per route.

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>weft dashboard</title>
<link rel="stylesheet" href="/style.css">
<script type="module" src="/ui/main.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <a class="brand" href="#/">weft</a>
  <nav aria-label="Pages">
    <a href="#/" data-nav="overview">Overview</a>
    <a href="#/topology" data-nav="topology">Topology</a>
    <a href="#/tap" data-nav="tap">Tap</a>
    <a href="#/health" data-nav="health">Control plane</a>
  </nav>
  <span id="live" role="status" aria-live="polite">connecting…</span>
</header>
<div id="banner" role="alert" hidden></div>
<main id="main" tabindex="-1"><p class="empty">Loading…</p></main>
<noscript><p class="empty">The dashboard needs JavaScript (no network access beyond this server).</p></noscript>
</body>
</html>
`;

export const PAGE_CSS = `
:root { --bg: #f7f7f5; --fg: #1d2125; --muted: #5d6670; --line: #d9dcdf; --ok: #1a7f37; --warn: #9a6700; --bad: #c62828; --accent: #0b5cad; --card: #fff; }
@media (prefers-color-scheme: dark) { :root { --bg: #15181b; --fg: #e6e8ea; --muted: #9aa3ab; --line: #30363d; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff; --card: #1c2024; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
main:focus { outline: none; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--card); padding: 4px 8px; z-index: 2; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 10px 20px; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 18px; text-decoration: none; color: var(--fg); }
nav { display: flex; flex-wrap: wrap; gap: 4px; }
nav a { padding: 6px 10px; border-radius: 6px; text-decoration: none; color: var(--fg); }
nav a[aria-current="page"] { background: var(--accent); color: #fff; }
#live { margin-left: auto; color: var(--muted); font-size: 12px; }
#live.ok::before { content: "●"; color: var(--ok); margin-right: 4px; }
#live.bad::before { content: "●"; color: var(--bad); margin-right: 4px; }
#banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 6px; background: color-mix(in srgb, var(--bad) 15%, var(--card)); border: 1px solid var(--bad); }
main { padding: 16px 20px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 4px 0 12px; } h2 { font-size: 16px; margin: 20px 0 8px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:last-child td { border-bottom: 0; }
td.wrap { white-space: normal; } caption.caption { text-align: left; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); } .muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.empty { color: var(--muted); padding: 18px; text-align: center; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
svg.spark { vertical-align: middle; }
svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.topo { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.topo .node rect { fill: var(--card); stroke: var(--line); stroke-width: 1.5; rx: 8; }
.topo .node text { fill: var(--fg); font-size: 13px; }
.topo .node .sub { fill: var(--muted); font-size: 11px; }
.topo .node a:focus-visible rect { stroke: var(--accent); stroke-width: 3; }
.topo .edge path { fill: none; stroke-width: 2; }
.topo .edge.ok path { stroke: var(--ok); } .topo .edge.warn path { stroke: var(--warn); } .topo .edge.bad path { stroke: var(--bad); } .topo .edge.none path { stroke: var(--muted); stroke-dasharray: 4 3; }
.topo .edge text { font-size: 11px; fill: var(--fg); paint-order: stroke; stroke: var(--bg); stroke-width: 4px; }
.topo marker path { fill: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px; margin-bottom: 12px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
.stat b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
.stat span { color: var(--muted); font-size: 12px; }
@media (max-width: 640px) {
  header { padding: 8px 12px; } main { padding: 12px; } #live { margin-left: 0; width: 100%; }
  th, td { padding: 5px 6px; }
  .hide-narrow { display: none; }
}
`;
