// The page every HTML report shares: one file, styles and data inline, no script, nothing fetched
// (the Content-Security-Policy forbids it), light and dark from prefers-color-scheme, print CSS.
import { VERSION } from '../../version.ts';
import { esc, inlineJson } from './escape.ts';

const STYLE = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--grid:#e4e8ec;--line:#8c959f;--panel:#f6f8fa;--base:#6e7781;
--s0:#0969da;--s1:#bf3989;--s2:#1a7f37;--s3:#9a6700;--s4:#8250df;--s5:#0e7c86;--s6:#bc4c00;--s7:#57606a;
--pass:#1a7f37;--fail:#cf222e;--na:#8c959f;--waived:#9a6700;--pass-bg:#dafbe1;--fail-bg:#ffebe9;--na-bg:#f6f8fa;
--waived-bg:#fff8c5;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--grid:#262c36;--line:#6e7681;
--panel:#151b23;--base:#9198a1;--s0:#4493f8;--s1:#f778ba;--s2:#3fb950;--s3:#d29922;--s4:#a371f7;--s5:#39c5cf;
--s6:#f0883e;--s7:#b1bac4;--pass:#3fb950;--fail:#f85149;--na:#9198a1;--waived:#d29922;--pass-bg:#12261e;
--fail-bg:#3c1618;--na-bg:#151b23;--waived-bg:#2e2a1a}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:24px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--grid)}
h3{font-size:15px;margin:18px 0 6px}p.meta,.note{color:var(--muted)}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--grid);padding:4px 8px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:var(--panel)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
figure.chart{margin:0;padding:8px;background:var(--panel);border-radius:6px;break-inside:avoid}
figure.chart svg{width:100%;height:auto;display:block}
figcaption{font-size:12px;color:var(--muted);margin-top:4px}
.legend{margin-left:8px}.key{margin-right:10px;white-space:nowrap}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
svg text{fill:var(--fg);font-size:11px}svg .tick{fill:var(--muted)}svg .axis-label{font-size:12px}
svg .group-label{font-weight:600}svg .grid{stroke:var(--grid)}svg .axis-line,svg .zero{stroke:var(--line)}
svg .sep{stroke:var(--grid);stroke-dasharray:3 3}svg .median{stroke:var(--fg);stroke-width:2}
svg .whisker line{stroke:var(--fg);stroke-width:1.5}svg .line{fill:none;stroke-width:2}
svg .fit{fill:none;stroke-width:1.2;stroke-dasharray:5 4;opacity:.8}
svg .point.outlier{fill:none!important;stroke-width:2}svg rect.gate-fail{fill:var(--fail);opacity:.18}
svg .badge-fail{fill:var(--fail);font-weight:700}svg .badge-pass{fill:var(--pass)}
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `.s${i}{fill:var(--s${i});stroke:var(--s${i})}`).join('')}
svg .line,svg .fit{fill:none}.base{fill:var(--base);stroke:var(--base)}.sw.base{background:var(--base)}
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `.sw.s${i}{background:var(--s${i})}`).join('')}
.verdict{font-size:18px;font-weight:700;padding:8px 12px;border-radius:6px;margin:8px 0}
.verdict.pass{background:var(--pass-bg);color:var(--pass)}.verdict.fail{background:var(--fail-bg);color:var(--fail)}
td.status-pass{color:var(--pass)}td.status-fail{color:var(--fail);font-weight:700}
p.fault{background:var(--fail-bg);color:var(--fail);font-weight:700;padding:4px 8px;margin:4px 0}
p.warning{background:var(--waived-bg);color:var(--waived);white-space:pre-line;padding:4px 8px}
table.matrix td.cell{text-align:center;position:relative;cursor:pointer;min-width:64px}
td.cell.pass{background:var(--pass-bg);color:var(--pass)}
td.cell.fail{background:var(--fail-bg);color:var(--fail);font-weight:700}
td.cell.error{background:var(--fail-bg);color:var(--fail);font-style:italic}
td.cell.na{background:var(--na-bg);color:var(--na)}td.cell.waived{background:var(--waived-bg);color:var(--waived)}
td.cell .pop{display:none;position:absolute;z-index:2;right:0;top:100%;width:380px;text-align:left;font-weight:400;
background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:8px;
box-shadow:0 4px 12px #0003}
td.cell:hover .pop,td.cell:focus .pop,td.cell:focus-within .pop{display:block}
.pop b{display:block;margin-top:4px}.pop code{white-space:pre-wrap;word-break:break-word}
details{margin:8px 0}summary{cursor:pointer;color:var(--muted)}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{:root{--bg:#fff;--fg:#000;--panel:#fff}body{max-width:none;padding:0;font-size:11px}
.charts{grid-template-columns:1fr 1fr}td.cell .pop{display:none!important}details>*{display:block}
h2{break-after:avoid}table,figure{break-inside:avoid}}
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export interface Section {
  html: string;
  /** The report the section was drawn from, embedded so the file carries its own data. */
  data: unknown;
}

export function page(title: string, sections: Section[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="trackbench ${esc(VERSION)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${sections.map((s) => `<section class="report">${s.html}</section>`).join('\n')}
<footer>Written by trackbench ${esc(VERSION)}. Charts are drawn into this file; it loads nothing.
Each section's source report is embedded as JSON (<code>script#trackbench-data-N</code>).</footer>
${sections.map((s, i) => dataBlock(i, s.data)).join('\n')}
</body>
</html>
`;
}

function dataBlock(i: number, data: unknown): string {
  return `<script type="application/json" id="trackbench-data-${i}">${inlineJson(data)}</script>`;
}

/** A plain HTML table; the first column is the row heading. */
export function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}
