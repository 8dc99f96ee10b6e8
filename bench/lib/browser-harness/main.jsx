// Bench page for bench/browser.bench.ts (plain JSX rather than TSX: the root tsconfig that
// type-checks bench/ has no DOM or JSX settings, and .jsx stays out of it): renders the web app's own ResultsTable (with the
// app's CSS and default User columns) or, as the baseline, a plain <table> of the same
// columns and formatted values, and reports how long it took until the table was painted
// and until a scroll to the middle was painted.
import 'bootstrap/dist/css/bootstrap.min.css';
import '../../../apps/web/src/styles.css';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { ResultsTable } from '../../../apps/web/src/components/results/ResultsTable';
import { defaultColumns, formatValue } from '../../../apps/web/src/scim/values';

const columns = defaultColumns('User');
const visibility = Object.fromEntries(columns.map((c) => [c.id, true]));
const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
/** The next frame after the one that painted the change: a paint has happened by then. */
const painted = async () => {
  await frame();
  return frame();
};

let root = null;
let rows = [];

function reset() {
  root?.unmount();
  root = null;
  const host = document.getElementById('root');
  host.replaceChildren();
  return host;
}

function plainTable(host, data) {
  // The baseline: every row in the DOM, like a page without virtualisation would do it.
  const scroller = document.createElement('div');
  scroller.className = 'table-responsive border rounded';
  scroller.style.maxHeight = '60vh';
  scroller.style.overflow = 'auto';
  const table = document.createElement('table');
  table.className = 'table table-sm table-hover mb-0 align-middle';
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.header;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const r of data) {
    const tr = body.insertRow();
    for (const c of columns) tr.insertCell().textContent = formatValue(c.get(r));
  }
  scroller.appendChild(table);
  host.appendChild(scroller);
  return scroller;
}

async function measure(kind) {
  const host = reset();
  await painted();
  const t0 = performance.now(); // data arrival: the rows are parsed and handed to the view
  let scroller;
  if (kind === 'virtual') {
    root = createRoot(host);
    flushSync(() =>
      root.render(
        <ResultsTable rows={rows} columns={columns} visibility={visibility} onOpenRow={() => {}} />,
      ),
    );
    scroller = host.querySelector('.results-scroller');
  } else {
    scroller = plainTable(host, rows);
  }
  const paintedAt = await painted();
  const scrollable = scroller.scrollHeight > scroller.clientHeight;
  const t1 = performance.now();
  scroller.scrollTop = scroller.scrollHeight / 2;
  const scrolledAt = await painted();
  const domRows = scroller.querySelectorAll('tbody tr').length;
  return {
    paintMs: paintedAt - t0,
    scrollMs: scrolledAt - t1,
    totalMs: paintedAt - t0 + (scrolledAt - t1),
    scrollable,
    domRows,
  };
}

window.bench = {
  async load(url) {
    rows = await (await fetch(url)).json();
    return rows.length;
  },
  measure,
  clear() {
    reset();
    rows = [];
  },
};
