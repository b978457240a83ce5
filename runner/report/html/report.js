// Stampede's HTML report: draws the embedded result documents (one run, or two in compare mode).
//
// The page computes nothing the runner already computed: tables show the result's own numbers,
// which come from the full data; charts draw the `display` documents the runner prepared beside
// each result (per-second rates, min/max buckets of long series, the latency distribution and
// percentile curve from the histograms). Everything is built with DOM calls and textContent, so
// no name in a result can become markup. window.stampedeReport exposes what was drawn, for the
// browser tests.
//
// The runner's live page (runner/report/live_page.cc, html/live.js) is this page without
// embedded results: it marks itself with a `stampede-live` element, and live.js hands each
// update's result to stampedeReport.update(). Updates redraw the tables and give the existing
// charts their new data, so the page can be redrawn every second for hours.
(function () {
  'use strict';

  const kColors = ['#2f5fd0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f'];
  const kStageFills = ['rgba(47,95,208,0.08)', 'rgba(239,108,0,0.10)'];
  const kChartHeight = 220;
  const kPrintWidth = 680;  // CSS pixels of an A4 page's text width, for printing

  const report = {mode: 'single', runs: [], charts: [], ready: false,
    live: document.getElementById('stampede-live') !== null};
  window.stampedeReport = report;

  // ---- data --------------------------------------------------------------------------------

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function loadRuns() {
    const runs = [];
    for (const [suffix, label] of [['', 'base'], ['-new', 'new']]) {
      const result = readJson('stampede-result' + suffix);
      if (!result) continue;
      runs.push({label: label, result: result, display: readJson('stampede-display' + suffix) || {}});
    }
    if (runs.length === 1) runs[0].label = '';
    return runs;
  }

  const get = (object, path, fallback) => {
    let value = object;
    for (const key of path) {
      if (value === null || value === undefined || typeof value !== 'object') return fallback;
      value = value[key];
    }
    return value === undefined || value === null ? fallback : value;
  };

  // ---- formatting --------------------------------------------------------------------------

  function fmtSeconds(s) {
    if (s === null || s === undefined || !isFinite(s)) return '–';
    const abs = Math.abs(s);
    if (abs === 0) return '0';
    if (abs < 1e-3) return (s * 1e6).toPrecision(3) + ' µs';
    if (abs < 1) return (s * 1e3).toPrecision(3) + ' ms';
    if (abs < 120) return s.toPrecision(3) + ' s';
    return fmtElapsed(s);
  }

  function fmtElapsed(s) {
    const total = Math.round(s);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    const two = (n) => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
  }

  function fmtCount(n) {
    if (n === null || n === undefined) return '–';
    return Number(n).toLocaleString('en-US');
  }

  function fmtNumber(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    return Number(x).toLocaleString('en-US', {maximumFractionDigits: digits === undefined ? 2 : digits});
  }

  function fmtPercent(fraction) {
    if (fraction === null || fraction === undefined || !isFinite(fraction)) return '–';
    return (fraction * 100).toFixed(fraction > 0 && fraction < 0.001 ? 3 : 2) + ' %';
  }

  function fmtBytes(n) {
    if (!n) return '0 B';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  // A threshold's value: a duration when the result marks it as seconds, else a number.
  function fmtThresholdValue(t, value) {
    if (value === null || value === undefined) return 'no data';
    return t.unit === 's' ? fmtSeconds(value) : fmtNumber(value, 6);
  }

  // The actual value, with the share of the quota the busiest window used (max_count,
  // max_rate thresholds).
  function fmtThresholdActual(t) {
    const actual = fmtThresholdValue(t, t.actual);
    return t.utilization === undefined ? actual : `${actual} (${fmtPercent(t.utilization)} of the quota)`;
  }

  // The relative change from base to next, coloured by whether a rise is bad (latency,
  // failures) or good (throughput).
  function change(base, next, higherIsWorse) {
    const span = el('span', {class: 'change'});
    if (typeof base !== 'number' || typeof next !== 'number') return span;
    if (base === next) { span.textContent = '±0 %'; return span; }
    if (base === 0) { span.textContent = 'new'; return span; }
    const pct = ((next - base) / Math.abs(base)) * 100;
    span.textContent = (pct > 0 ? '+' : '') + pct.toFixed(Math.abs(pct) < 10 ? 1 : 0) + ' %';
    const worse = higherIsWorse ? pct > 0 : pct < 0;
    if (Math.abs(pct) >= 1) span.classList.add(worse ? 'worse' : 'better');
    return span;
  }

  // ---- DOM helpers -------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // columns: [{label, text?}]; rows: arrays of cells (text or Node), or {cells, class}.
  function table(columns, rows, id) {
    const head = el('tr', {}, columns.map((c) => el('th', {class: c.text ? 'text' : null}, c.label)));
    const body = rows.map((row) => {
      const cells = Array.isArray(row) ? row : row.cells;
      return el('tr', {class: Array.isArray(row) ? null : row.class},
        cells.map((cell, i) => {
          if (cell instanceof Node && cell.tagName === 'TD') return cell;
          return el('td', {class: columns[i] && columns[i].text ? 'text' : null}, cell);
        }));
    });
    return el('div', {class: 'table-scroll'}, el('table', {id: id}, el('thead', {}, head), el('tbody', {}, body)));
  }

  function section(id, title, ...content) {
    const node = document.getElementById(id);
    node.replaceChildren(el('h2', {}, title), ...content);
    node.hidden = false;
    return node;
  }

  // A section with nothing to show is hidden, not removed: a live update may fill it later.
  function hideSection(id) {
    const node = document.getElementById(id);
    node.replaceChildren();
    node.hidden = true;
  }

  function verdictBadge(result) {
    const thresholds = result.thresholds || [];
    if (thresholds.length === 0) return el('span', {class: 'verdict none'}, 'no thresholds');
    return result.thresholds_ok
      ? el('span', {class: 'verdict pass'}, 'PASSED')
      : el('span', {class: 'verdict fail'}, 'FAILED');
  }

  function runTitle(run) {
    return run.label ? `${run.label}: ${run.result.plan || 'plan'}` : run.result.plan || 'plan';
  }

  // ---- header ------------------------------------------------------------------------------

  function runCard(run) {
    const r = run.result;
    const meta = r.meta || {};
    const rows = [
      ['Target', meta.target],
      ['Load', meta.load],
      ['Profile', meta.profile || '–'],
      ['Test id', r.testid],
      ['Runners', meta.runners !== undefined ? fmtCount(meta.runners) : '1'],
      ['Runner', r.runner],
      ['Started', r.started_at],
      ['Ended', meta.ended_at],
      ['Duration', fmtSeconds(get(r, ['totals', 'duration_seconds']))],
      ['Stampede', meta.version],
    ];
    if (r.aborted_by) rows.push(['Stopped by', r.aborted_by]);
    if (r.histograms_omitted) rows.push(['Note', r.histograms_omitted]);
    const list = el('dl', {class: 'meta'});
    for (const [label, value] of rows) {
      if (value === undefined || value === null || value === '') continue;
      list.append(el('dt', {}, label), el('dd', {}, value));
    }
    return el('div', {class: 'run-card'}, el('h3', {}, run.label ? run.label + ' ' : '', verdictBadge(r)), list);
  }

  function renderHeader(runs) {
    const title = runs.length === 2
      ? `${runs[0].result.plan || 'plan'} — compared with ${runs[1].result.plan || 'plan'}`
      : runs[0].result.plan || 'Stampede result';
    const subtitle = runs.length === 2
      ? 'Stampede report, compare mode: base (left) and new (right); changes are new against base.'
      : report.subtitle || 'Stampede load-test report';
    document.getElementById('header').replaceChildren(
      el('h1', {}, title), el('p', {class: 'subtitle'}, subtitle),
      el('div', {class: 'runs'}, runs.map(runCard)));
  }

  // ---- summary -----------------------------------------------------------------------------

  // What the summary shows: label, path in the result, formatter, whether a rise is worse.
  const kSummary = [
    ['Requests', ['totals', 'requests'], fmtCount, false],
    ['Failures', ['totals', 'failures'], fmtCount, true],
    ['Failure rate', ['totals', 'failure_rate'], fmtPercent, true],
    ['Requests/s', ['totals', 'rps'], (x) => fmtNumber(x, 1), false],
    ['Iterations', ['totals', 'iterations'], fmtCount, false],
    ['Dropped', ['totals', 'dropped'], fmtCount, true],
    ['p50', ['latency_seconds', 'p50'], fmtSeconds, true],
    ['p90', ['latency_seconds', 'p90'], fmtSeconds, true],
    ['p95', ['latency_seconds', 'p95'], fmtSeconds, true],
    ['p99', ['latency_seconds', 'p99'], fmtSeconds, true],
    ['p99.9', ['latency_seconds', 'p99_9'], fmtSeconds, true],
    ['max', ['latency_seconds', 'max'], fmtSeconds, true],
    ['Sent', ['totals', 'bytes_sent'], fmtBytes, false],
    ['Received', ['totals', 'bytes_received'], fmtBytes, false],
  ];

  function renderSummary(runs) {
    const node = document.getElementById('summary');
    if (runs.length === 1) {
      const r = runs[0].result;
      node.replaceChildren(el('div', {class: 'tiles'}, kSummary.map(([label, path, fmt]) =>
        el('div', {class: 'tile'}, el('div', {class: 'label'}, label),
          el('div', {class: 'value'}, fmt(get(r, path)))))));
      return;
    }
    const [a, b] = runs.map((run) => run.result);
    const rows = kSummary.map(([label, path, fmt, worse]) => {
      const x = get(a, path);
      const y = get(b, path);
      return [label, fmt(x), el('td', {}, fmt(y), change(x, y, worse))];
    });
    node.replaceChildren(el('h2', {}, 'Summary'),
      table([{label: '', text: true}, {label: 'base'}, {label: 'new (change)'}], rows, 'summary-table'));
  }

  // ---- thresholds --------------------------------------------------------------------------

  function thresholdKey(t) { return t.metric + '\u0000' + t.expression; }

  function verdictCell(t) {
    if (!t) return el('td', {}, '–');
    return el('td', {class: t.ok ? 'pass' : 'fail'}, t.ok ? 'PASS' : 'FAIL');
  }

  function renderThresholds(runs) {
    const lists = runs.map((run) => run.result.thresholds || []);
    if (lists.every((list) => list.length === 0)) {
      section('thresholds', 'Thresholds', el('p', {class: 'empty'}, 'The plan has no thresholds.'));
      return;
    }
    if (runs.length === 1) {
      const rows = lists[0].map((t) => [t.metric, t.expression, fmtThresholdActual(t),
        t.bound === undefined ? '' : fmtThresholdValue(t, t.bound), verdictCell(t)]);
      section('thresholds', 'Thresholds', table([{label: 'metric', text: true}, {label: 'condition', text: true},
        {label: 'actual'}, {label: 'bound'}, {label: 'verdict'}], rows, 'threshold-table'));
      return;
    }
    // Compare: every condition of either run, in the base's order, then the new run's others.
    const keys = [];
    const byRun = lists.map((list) => new Map(list.map((t) => [thresholdKey(t), t])));
    for (const list of lists) for (const t of list) if (!keys.includes(thresholdKey(t))) keys.push(thresholdKey(t));
    const rows = keys.map((key) => {
      const [x, y] = byRun.map((m) => m.get(key));
      const any = x || y;
      return [any.metric, any.expression, x ? fmtThresholdValue(x, x.actual) : '–', verdictCell(x),
        y ? fmtThresholdValue(y, y.actual) : '–', verdictCell(y)];
    });
    section('thresholds', 'Thresholds', table([{label: 'metric', text: true}, {label: 'condition', text: true},
      {label: 'base actual'}, {label: 'base'}, {label: 'new actual'}, {label: 'new'}], rows, 'threshold-table'));
  }

  // ---- charts ------------------------------------------------------------------------------

  function chartWidth(container) {
    return Math.max(240, Math.floor(container.getBoundingClientRect().width || 600));
  }

  // Shades the plan's named load stages behind a time chart, with their names at the top. The
  // stages are read when drawing, so an update that brings them needs no new chart.
  function stageShading(chart) {
    return (u) => {
      const stages = chart.stages;
      if (!stages || stages.length === 0) return;
      const ctx = u.ctx;
      const {left, top, width, height} = u.bbox;
      ctx.save();
      ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      stages.forEach((stage, i) => {
        const x0 = Math.max(left, u.valToPos(stage.start_seconds, 'x', true));
        const x1 = Math.min(left + width, u.valToPos(stage.end_seconds, 'x', true));
        if (!(x1 > x0)) return;
        ctx.fillStyle = kStageFills[i % kStageFills.length];
        ctx.fillRect(x0, top, x1 - x0, height);
        ctx.fillStyle = '#5b6577';
        ctx.fillText(stage.name, x0 + 4 * devicePixelRatio, top + 2 * devicePixelRatio, Math.max(0, x1 - x0 - 6));
      });
      ctx.restore();
    };
  }

  // Whole seconds and round minutes or hours between ticks, never fractions of a second.
  const kTimeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

  function timeAxis() {
    return {incrs: kTimeSteps, values: (u, splits) => splits.map(labelOr(fmtElapsed))};
  }

  // Axis labels: uPlot passes null for the ticks a log scale leaves unlabelled.
  function labelOr(fmt) {
    return (v) => (v === null || v === undefined ? '' : fmt(v));
  }

  // One chart: `data` is uPlot's columnar [xs, ys...]; `series` names the y columns.
  function makeChart(spec) {
    const {container, id, run, title, data, series, yFormat, x, y, stages, paths} = spec;
    const holder = el('div', {class: 'chart', id: id}, el('h3', {}, title));
    container.append(holder);
    const chart = {id: id, run: run, title: title, series: series, stages: stages || [], holder: holder, plot: null};
    const options = {
      width: chartWidth(holder),
      height: kChartHeight,
      padding: [10, 30, 0, 0],  // room for the last x label
      scales: {x: Object.assign({time: false}, x || {}), y: Object.assign({}, y || {})},
      axes: [Object.assign({}, spec.xAxis || timeAxis()),
        {values: (u, splits) => splits.map(labelOr(yFormat)), size: 70}],
      series: [{label: spec.xLabel || 'elapsed', value: (u, v) => (v === null ? '–' : (spec.xValue || fmtElapsed)(v))}]
        .concat(series.map((name, i) => ({
          label: name,
          stroke: kColors[i % kColors.length],
          width: 1.5,
          spanGaps: false,
          paths: paths,
          fill: spec.fill ? kColors[i % kColors.length] + '33' : undefined,
          value: (u, v) => (v === null || v === undefined ? '–' : yFormat(v)),
        }))),
      legend: {live: true},
      hooks: stages ? {drawClear: [stageShading(chart)]} : {},
    };
    chart.plot = new uPlot(options, data, holder);
    report.charts.push(chart);
    return chart;
  }

  function dropChart(chart) {
    chart.plot.destroy();
    chart.holder.remove();
    report.charts.splice(report.charts.indexOf(chart), 1);
  }

  const sameList = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

  // A chart that already exists in the same place with the same series gets the new data
  // (uPlot's setData: no new canvas, no flicker, nothing left behind); any other is made.
  function drawChart(spec) {
    const chart = report.charts.find((c) => c.id === spec.id);
    if (chart && chart.holder.parentNode === spec.container && sameList(chart.series, spec.series)) {
      chart.stages = spec.stages || [];
      chart.plot.setData(spec.data);
      return chart;
    }
    if (chart) dropChart(chart);
    return makeChart(spec);
  }

  // The skeleton of a chart section (heading, rows), built again only when its shape changes
  // (which charts it has, for how many runs), so that updates keep its charts. `build` fills a
  // new skeleton and returns the parts later updates draw into.
  const layouts = new Map();

  function chartLayout(id, title, shape, build) {
    const node = document.getElementById(id);
    const known = layouts.get(id);
    if (known && known.shape === shape) return known.parts;
    for (const chart of report.charts.filter((c) => node.contains(c.holder))) dropChart(chart);
    node.replaceChildren(el('h2', {}, title));
    const parts = build(node);
    layouts.set(id, {shape: shape, parts: parts});
    return parts;
  }

  function seriesColumns(display) {
    const s = display.series || {};
    return {t: s.t || [], rps: s.requests_per_second || [], fps: s.failures_per_second || [],
      users: s.users || [], p50: s.p50 || [], p95: s.p95 || [], p99: s.p99 || [],
      points: s.points || 0, bucketPoints: s.bucket_points || 1};
  }

  // The largest finite value among columns, so both runs' charts share a y range in compare mode.
  function maxOf(columns) {
    let max = 0;
    for (const column of columns) for (const v of column) if (v !== null && v > max) max = v;
    return max;
  }

  const kTimeCharts = [
    {key: 'throughput', title: 'Requests and failures per second', series: ['requests/s', 'failures/s'],
      columns: (c) => [c.rps, c.fps], format: (v) => fmtNumber(v, 1)},
    {key: 'users', title: 'Active users', series: ['users'], columns: (c) => [c.users], format: (v) => fmtNumber(v, 1)},
    {key: 'latency', title: 'Latency per second (p50, p95, p99)', series: ['p50', 'p95', 'p99'],
      columns: (c) => [c.p50, c.p95, c.p99], format: fmtSeconds},
  ];

  function renderTimeCharts(runs) {
    const columns = runs.map((run) => seriesColumns(run.display));
    const empty = columns.every((c) => c.t.length === 0);
    const parts = chartLayout('charts', 'Over time', empty ? 'empty' : String(runs.length), (node) => {
      if (empty) {
        node.append(el('p', {class: 'empty'}, report.live ? 'No per-second series yet.' : 'The result has no per-second series.'));
        return null;
      }
      const notes = el('div', {});
      const rows = new Map(kTimeCharts.map((chart) => [chart.key, el('div', {class: 'chart-row', style: `--columns: ${runs.length}`})]));
      node.append(notes, ...rows.values());
      // Compare mode's shared axes, read by the charts' range functions at every redraw.
      return {notes: notes, rows: rows, end: 1, tops: new Map()};
    });
    if (!parts) return;
    parts.notes.replaceChildren(...columns.flatMap((c, i) => (c.bucketPoints > 1
      ? [el('p', {class: 'note'}, `${runTitle(runs[i])}: ${fmtCount(c.points)} per-second points, ` +
        `drawn as the lowest and highest value of every ${fmtCount(c.bucketPoints)} points; ` +
        'the tables use all of them.')]
      : [])));
    // Compare mode: both runs on the same time axis, so equal moments line up.
    parts.end = Math.max(1, ...columns.map((c) => (c.t.length ? c.t[c.t.length - 1] : 0)));
    for (const chart of kTimeCharts) {
      parts.tops.set(chart.key, maxOf(columns.flatMap((c) => chart.columns(c))));
      runs.forEach((run, i) => {
        const c = columns[i];
        const title = runs.length === 2 ? `${chart.title} — ${run.label}` : chart.title;
        const stages = get(run.result, ['meta', 'stages'], []);
        drawChart({container: parts.rows.get(chart.key), id: `chart-${chart.key}-${i}`, run: i, title: title,
          data: [c.t].concat(chart.columns(c)), series: chart.series, yFormat: chart.format,
          x: {range: runs.length === 2 ? () => [0, parts.end] : (u, lo, hi) => [0, Math.max(hi, 1)]},
          y: {range: runs.length === 2
            ? () => { const top = parts.tops.get(chart.key); return [0, top > 0 ? top * 1.05 : 1]; }
            : (u, lo, hi) => [0, hi > 0 ? hi * 1.05 : 1]},
          stages: stages});
      });
    }
  }

  // x positions of the percentile curve: -log10(1 - p), so 90, 99, 99.9 % are evenly spaced.
  function ninesLabel(x) {
    const p = 100 * (1 - Math.pow(10, -x));
    return (Math.round(p * 1000) / 1000) + ' %';
  }

  function renderLatencyCharts(runs) {
    const curves = runs.map((run) => run.display.percentile_curve).filter(Boolean);
    const dists = runs.map((run) => run.display.latency_distribution).filter(Boolean);
    const empty = curves.length === 0 && dists.length === 0;
    const shape = empty ? 'empty' : [runs.length, dists.length === runs.length, curves.length === runs.length].join();
    const row = chartLayout('latency', 'Latency distribution', shape, (node) => {
      if (empty) {
        node.append(el('p', {class: 'empty'}, report.live ? 'No latency histograms yet.' : 'The result has no latency histograms.'));
        return null;
      }
      return node.appendChild(el('div', {class: 'chart-row', style: '--columns: 2'}));
    });
    if (!row) return;
    const names = runs.map((run) => run.label || 'all requests');
    if (dists.length === runs.length) {
      // The count of each bin of 20 per decade; uPlot.join puts both runs on the union of the bins.
      const tables = dists.map((d) => [d.lower_seconds, d.count]);
      const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
      drawChart({container: row, id: 'chart-distribution', run: -1, title: 'Requests by latency (log scale)',
        data: data, series: names, yFormat: (v) => fmtCount(Math.round(v)), x: {distr: 3},
        xAxis: {values: (u, splits) => splits.map(labelOr(fmtSeconds))}, xLabel: 'latency ≥', xValue: fmtSeconds,
        paths: uPlot.paths.stepped({align: 1}), fill: true});
    }
    if (curves.length === runs.length) {
      // A log scale has no place for 0 (a latency below the histogram's 1 ns resolution).
      const tables = curves.map((c) => [c.nines, c.seconds.map((v) => (v > 0 ? v : null))]);
      const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
      drawChart({container: row, id: 'chart-percentiles', run: -1, title: 'Latency by percentile',
        data: data, series: names, yFormat: fmtSeconds, y: {distr: 3},
        xAxis: {values: (u, splits) => splits.map(labelOr(ninesLabel)), incrs: [1]}, xLabel: 'percentile', xValue: ninesLabel});
    }
  }

  // ---- tables ------------------------------------------------------------------------------

  const kRowLatencies = [['mean', 'mean'], ['stddev', 'stddev'], ['p50', 'p50'], ['p90', 'p90'], ['p95', 'p95'], ['p99', 'p99'], ['p99.9', 'p99_9'], ['max', 'max']];

  function rowKey(row) { return [row.scenario, row.name, row.method].join('\u0000'); }

  function requestColumns(extra) {
    return [{label: 'scenario', text: true}, {label: 'name', text: true}, {label: 'method', text: true},
      {label: 'requests'}, {label: 'failures'}, {label: 'req/s'}].concat(
      kRowLatencies.map(([label]) => ({label: label}))).concat(extra || []);
  }

  function singleRequestRow(row, cls) {
    return {class: cls, cells: [row.scenario, row.name, row.method, fmtCount(row.requests), fmtCount(row.failures),
      fmtNumber(row.rps, 1)].concat(kRowLatencies.map(([, key]) => fmtSeconds(get(row, ['latency_seconds', key]))))};
  }

  function compareRequestRow(x, y, cls) {
    const any = x || y;
    // Base above, new below with its change: two short lines keep the wide table readable.
    const cell = (path, fmt, worse) =>
      el('td', {class: 'compare'}, x ? fmt(get(x, path)) : '–', el('br'), '→ ', y ? fmt(get(y, path)) : '–',
        x && y ? change(get(x, path), get(y, path), worse) : null);
    return {class: cls, cells: [any.scenario, any.name, any.method, cell(['requests'], fmtCount, false),
      cell(['failures'], fmtCount, true), cell(['rps'], (v) => fmtNumber(v, 1), false)].concat(
      kRowLatencies.map(([, key]) => cell(['latency_seconds', key], fmtSeconds, true)))};
  }

  // The totals as a row, so the aggregated line reads like Locust's "Aggregated".
  function totalRow(result) {
    return {scenario: 'all', name: 'Aggregated', method: '', requests: get(result, ['totals', 'requests']),
      failures: get(result, ['totals', 'failures']), rps: get(result, ['totals', 'rps']),
      latency_seconds: result.latency_seconds || {}};
  }

  function renderRequests(runs) {
    if (runs.length === 1) {
      const r = runs[0].result;
      const rows = (r.requests || []).map((row) => singleRequestRow(row));
      rows.push(singleRequestRow(totalRow(r), 'total'));
      section('requests', 'Requests by scenario and name', table(requestColumns(), rows, 'request-table'));
      return;
    }
    const maps = runs.map((run) => new Map((run.result.requests || []).map((row) => [rowKey(row), row])));
    const keys = [];
    for (const run of runs) for (const row of run.result.requests || []) if (!keys.includes(rowKey(row))) keys.push(rowKey(row));
    const rows = keys.map((key) => compareRequestRow(maps[0].get(key), maps[1].get(key)));
    rows.push(compareRequestRow(totalRow(runs[0].result), totalRow(runs[1].result), 'total'));
    section('requests', 'Requests by scenario and name (base → new)', table(requestColumns(), rows, 'request-table'));
  }

  function renderStages(runs) {
    if (runs.every((run) => (run.result.stages || []).length === 0)) { hideSection('stages'); return; }
    const content = runs.map((run) => {
      const rows = (run.result.stages || []).map((s) => [s.name, fmtSeconds(s.duration_seconds), fmtCount(s.requests),
        fmtCount(s.failures), fmtNumber(s.rps, 1), fmtSeconds(get(s, ['latency_seconds', 'p50'])),
        fmtSeconds(get(s, ['latency_seconds', 'p95'])), fmtSeconds(get(s, ['latency_seconds', 'p99']))]);
      return [run.label ? el('h3', {}, run.label) : null,
        table([{label: 'stage', text: true}, {label: 'duration'}, {label: 'requests'}, {label: 'failures'},
          {label: 'req/s'}, {label: 'p50'}, {label: 'p95'}, {label: 'p99'}], rows)];
    });
    section('stages', 'Named load stages', el('div', {class: runs.length === 2 ? 'pair' : ''}, content.map((c) => el('div', {}, c))));
  }

  // The plan's `limits:` entries: what each let through and held back; an adaptive one's rate at
  // the end, its lowest and how often the target pushed it down.
  function renderLimits(runs) {
    if (runs.every((run) => (run.result.limits || []).length === 0 && !run.result.adaptiveUsers)) {
      hideSection('limits');
      return;
    }
    const content = runs.map((run) => {
      const duration = run.result.duration_seconds || 0;
      const rate = (r) => (r > 0 ? fmtNumber(r, 2) + '/s' : '-');
      const rows = (run.result.limits || []).map((l) => [l.selector + (l.perUser ? ' per user' : ''), fmtCount(l.requests),
        duration > 0 ? rate(l.requests / duration) : '-', fmtCount(l.delayed), fmtCount(l.skipped || 0),
        fmtSeconds(l.delaySeconds), fmtSeconds(l.throttledSeconds),
        l.adaptive ? (l.rate > 0 ? rate(l.rate) : 'unlimited') : rate(l.configuredRate),
        l.adaptive ? rate(l.lowestRate) : '-', l.adaptive ? fmtCount(l.decreases) : '-',
        l.adaptive ? fmtCount(l.pauses) : '-']);
      const users = run.result.adaptiveUsers;
      return [run.label ? el('h3', {}, run.label) : null,
        rows.length ? table([{label: 'limit', text: true}, {label: 'requests'}, {label: 'achieved'}, {label: 'delayed'},
          {label: 'skipped'}, {label: 'waited'}, {label: 'throttled'}, {label: 'rate'}, {label: 'lowest'},
          {label: 'decreases'}, {label: 'Retry-After pauses'}], rows, 'limit-table') : null,
        users ? table([{label: 'adaptive users', text: true}, {label: 'planned'}, {label: 'at the end'}, {label: 'lowest'},
          {label: 'signals'}, {label: 'decreases'}, {label: 'fewer than planned'}],
        [['load.adaptive', fmtNumber(users.plannedUsers, 0), fmtNumber(users.users, 0),
          users.decreases ? fmtNumber(users.lowestUsers, 0) : '-', fmtCount(users.signals), fmtCount(users.decreases),
          fmtSeconds(users.throttledSeconds)]], 'adaptive-users-table') : null];
    });
    section('limits', 'Client-side limits', el('div', {class: runs.length === 2 ? 'pair' : ''}, content.map((c) => el('div', {}, c))));
  }

  // The load generator itself, one row per runner of each run: a saturated one measured its own
  // queueing too (docs/self-monitoring.md).
  function renderGenerator(runs) {
    if (runs.every((run) => (run.result.generators || []).length === 0)) { hideSection('generator'); return; }
    const intervals = (g) => (g.saturated || []).map((s) => s.startSeconds + '–' + s.endSeconds + ' s (' +
      [s.cpu ? 'cpu ' + fmtPercent(s.peakCpu) : null, s.loopLag ? 'loop lag ' + fmtSeconds(s.peakLoopLagSeconds) : null]
        .filter((x) => x).join(', ') + ')').join(', ') + (g.saturatedDropped ? ' and ' + g.saturatedDropped + ' more' : '');
    const content = runs.map((run) => {
      const rows = (run.result.generators || []).map((g) => {
        const memory = g.memory || {};
        const lag = g.loopLagSeconds || {};
        const growth = memory.growthBytes || 0;
        return [g.runner, fmtSeconds(g.cpuSeconds), fmtPercent(g.peakThreadCpu), fmtBytes(memory.baselineBytes),
          fmtBytes(memory.peakBytes), (growth < 0 ? '-' : '+') + fmtBytes(Math.abs(growth)), fmtSeconds(lag.p99),
          fmtSeconds(lag.max), fmtCount(g.peakConnections), g.saturatedSeconds > 0
            ? fmtSeconds(g.saturatedSeconds) + ': ' + intervals(g) : 'no'];
      });
      const saturated = (run.result.generators || []).some((g) => g.saturatedSeconds > 0);
      return [run.label ? el('h3', {}, run.label) : null,
        saturated ? el('p', {class: 'warning'}, 'The load generator was saturated: latencies in those seconds ' +
          'include its own queueing. Add threads or runners.') : null,
        table([{label: 'runner', text: true}, {label: 'CPU'}, {label: 'busiest second'}, {label: 'memory at start'},
          {label: 'peak'}, {label: 'growth'}, {label: 'loop lag p99'}, {label: 'max'}, {label: 'connections'},
          {label: 'saturated', text: true}], rows, 'generator-table')];
    });
    section('generator', 'Load generator', el('div', {class: runs.length === 2 ? 'pair' : ''}, content.map((c) => el('div', {}, c))));
  }

  // Rows of (key, value per run) for maps such as status codes and errors, in key order.
  function keyedRows(maps, fmt) {
    const keys = [...new Set(maps.flatMap((m) => Object.keys(m || {})))].sort();
    return keys.map((key) => [key].concat(maps.map((m) => fmt(get(m, [key], 0)))));
  }

  function runColumns(runs, first, valueLabel) {
    return [{label: first, text: true}].concat(runs.map((run) => ({label: run.label || valueLabel})));
  }

  function renderOutcomes(runs) {
    const statusRows = keyedRows(runs.map((run) => run.result.status_codes), fmtCount);
    const errorRows = keyedRows(runs.map((run) => run.result.errors), fmtCount);
    section('outcomes', 'Status codes and errors', el('div', {class: 'pair'},
      el('div', {}, el('h3', {}, 'Status codes'), statusRows.length
        ? table(runColumns(runs, 'status', 'responses'), statusRows, 'status-table') : el('p', {class: 'empty'}, 'No responses.')),
      el('div', {}, el('h3', {}, 'Errors by category'), errorRows.length
        ? table(runColumns(runs, 'category', 'count'), errorRows, 'error-table') : el('p', {class: 'empty'}, 'No errors.'))));
  }

  function renderChecks(runs) {
    const perRun = runs.map((run) => {
      const map = new Map();
      for (const row of run.result.requests || []) {
        for (const c of row.checks || []) map.set([row.scenario, row.name, c.name].join('\u0000'), {row: row, check: c});
      }
      return map;
    });
    if (perRun.every((m) => m.size === 0)) { hideSection('checks'); return; }
    const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
    const rate = (c) => (c.passes + c.fails ? c.passes / (c.passes + c.fails) : null);
    const rows = keys.map((key) => {
      const any = (perRun[0].get(key) || perRun[1].get(key));
      const cells = [any.row.scenario, any.row.name, any.check.name];
      for (const m of perRun) {
        const entry = m.get(key);
        if (!entry) { cells.push('–', '–', '–'); continue; }
        const c = entry.check;
        cells.push(fmtCount(c.passes), fmtCount(c.fails),
          el('td', {class: c.fails ? 'fail' : 'pass'}, (c.fails ? '✗ ' : '✓ ') + fmtPercent(rate(c))));
      }
      return cells;
    });
    const columns = [{label: 'scenario', text: true}, {label: 'request', text: true}, {label: 'check', text: true}];
    for (const run of runs) {
      const p = run.label ? run.label + ' ' : '';
      columns.push({label: p + 'passes'}, {label: p + 'fails'}, {label: p + 'pass rate'});
    }
    const totals = runs.map((run) => `${run.label ? run.label + ': ' : ''}${fmtPercent(get(run.result, ['checks', 'rate']))} of ` +
      `${fmtCount(get(run.result, ['checks', 'passes'], 0) + get(run.result, ['checks', 'fails'], 0))} checks passed`);
    section('checks', 'Checks', el('p', {}, totals.join(' · ')), table(columns, rows, 'check-table'));
  }

  function customValueText(metric, v) {
    if (metric.kind === 'counter') return fmtCount(v.count) + ' (' + fmtNumber(v.rate, 2) + '/s)';
    const unit = metric.unit ? ' ' + metric.unit : '';
    const s = v.stats || {};
    return ['p50', 'p95', 'p99', 'max'].map((k) => `${k} ${fmtNumber(s[k], 3)}${unit}`).join(', ') + ` (n=${fmtCount(v.count)})`;
  }

  function renderCustom(runs) {
    if (runs.every((run) => (run.result.custom || []).length === 0)) { hideSection('custom'); return; }
    const perRun = runs.map((run) => {
      const map = new Map();
      for (const m of run.result.custom || []) for (const v of m.values || []) map.set(m.name + '\u0000' + v.value, {m: m, v: v});
      return map;
    });
    const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
    const rows = keys.map((key) => {
      const any = perRun[0].get(key) || perRun[1].get(key);
      return [any.m.name, any.v.value || '–', any.m.kind].concat(perRun.map((m) => {
        const entry = m.get(key);
        return entry ? customValueText(entry.m, entry.v) : '–';
      }));
    });
    const columns = [{label: 'metric', text: true}, {label: 'value', text: true}, {label: 'kind', text: true}]
      .concat(runs.map((run) => ({label: run.label || 'statistics', text: true})));
    section('custom', 'Custom metrics', table(columns, rows, 'custom-table'));
  }

  // A table whose rows start with the run they belong to: that column only in compare mode.
  function runTable(runs, columns, rows, id) {
    if (runs.length === 2) return table([{label: 'run', text: true}].concat(columns), rows, id);
    return table(columns, rows.map((row) => row.slice(1)), id);
  }

  function renderStreams(runs) {
    const rows = [];
    for (const run of runs) {
      for (const row of run.result.requests || []) {
        const s = row.stream;
        if (!s) continue;
        rows.push([run.label, row.scenario, row.name, fmtCount(s.streams), fmtCount(s.events), fmtCount(s.tokens),
          fmtSeconds(get(s, ['time_to_first_event_seconds', 'p50'])), fmtSeconds(get(s, ['time_to_first_event_seconds', 'p95'])),
          fmtSeconds(get(s, ['event_gap_seconds', 'p95'])), fmtSeconds(get(s, ['time_per_output_token_seconds', 'p50'])),
          fmtNumber(get(s, ['tokens_per_second', 'p50']), 1), fmtSeconds(get(s, ['duration_seconds', 'p95']))]);
      }
    }
    if (rows.length === 0) { hideSection('streams'); return; }
    section('streams', 'Streams (Server-Sent Events, NDJSON)', runTable(runs, [{label: 'scenario', text: true},
      {label: 'request', text: true}, {label: 'streams'}, {label: 'events'}, {label: 'tokens'}, {label: 'first event p50'},
      {label: 'first event p95'}, {label: 'event gap p95'}, {label: 'time/token p50'}, {label: 'tokens/s p50'},
      {label: 'duration p95'}], rows, 'stream-table'));
  }

  function renderWebSockets(runs) {
    const rows = [];
    for (const run of runs) {
      for (const row of run.result.requests || []) {
        const w = row.ws;
        if (!w) continue;
        const closes = Object.entries(w.close_codes || {}).map(([code, n]) => `${code}: ${fmtCount(n)}`).join(', ');
        rows.push([run.label, row.scenario, row.name, fmtCount(w.sessions), fmtCount(w.msgs_sent), fmtCount(w.msgs_received),
          fmtSeconds(get(w, ['connecting_seconds', 'p95'])), fmtSeconds(get(w, ['session_duration_seconds', 'p50'])),
          fmtSeconds(get(w, ['message_gap_seconds', 'p95'])), fmtSeconds(get(w, ['ping_seconds', 'p95'])), closes || '–']);
      }
    }
    if (rows.length === 0) { hideSection('websockets'); return; }
    section('websockets', 'WebSocket sessions', runTable(runs, [{label: 'scenario', text: true},
      {label: 'session', text: true}, {label: 'sessions'}, {label: 'sent'}, {label: 'received'}, {label: 'connect p95'},
      {label: 'session p50'}, {label: 'message gap p95'}, {label: 'ping p95'}, {label: 'close codes', text: true}], rows, 'ws-table'));
  }

  function renderFooter() {
    const generator = document.querySelector('meta[name="generator"]');
    document.getElementById('footer').replaceChildren(
      `Written by ${generator ? generator.content : 'stampede'}. Charts drawn with uPlot (MIT). ` +
      'Numbers in the tables come from the full results; long series are drawn as min/max buckets.');
  }

  // ---- size changes ------------------------------------------------------------------------

  function resizeCharts(widthOf) {
    for (const chart of report.charts) {
      const holder = chart.plot.root.parentNode;
      chart.plot.setSize({width: widthOf(holder), height: kChartHeight});
    }
  }

  function followSize() {
    let pending = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => resizeCharts(chartWidth));
    });
    // A printed page is narrower than the screen: draw the charts for it, then back.
    window.addEventListener('beforeprint', () => resizeCharts((holder) =>
      Math.min(chartWidth(holder), Math.floor(kPrintWidth / (holder.parentNode.style.getPropertyValue('--columns') || 1)))));
    window.addEventListener('afterprint', () => resizeCharts(chartWidth));
  }

  // ---- drawing and the hooks for live.js and tests ------------------------------------------

  // Every chart's title, series names and data exactly as handed to uPlot.
  report.chartData = () => report.charts.map((c) => ({id: c.id, run: c.run, title: c.title, series: c.series, data: c.plot.data}));

  // Draws runs ([{label, result, display}], one or two): everything on the first call, and on
  // later ones the tables anew and the charts in place.
  function draw(runs) {
    if (runs.length === 0) throw new Error('no result embedded in this report');
    report.runs = runs;
    report.mode = runs.length === 2 ? 'compare' : 'single';
    document.body.classList.remove('single', 'compare');
    document.body.classList.add(report.mode);
    renderHeader(runs);
    renderSummary(runs);
    renderThresholds(runs);
    renderTimeCharts(runs);
    renderLatencyCharts(runs);
    renderRequests(runs);
    renderStages(runs);
    renderLimits(runs);
    renderChecks(runs);
    renderOutcomes(runs);
    renderCustom(runs);
    renderStreams(runs);
    renderWebSockets(runs);
    renderGenerator(runs);
    renderFooter();
    report.ready = true;
  }

  // The live page's entry: `runs` as loadRuns() gives them; a missing display draws no chart.
  // `subtitle` replaces the header's (a live page says how current its numbers are).
  report.update = (runs, subtitle) => {
    report.subtitle = subtitle;
    draw(runs.map((run, i) => ({label: runs.length === 1 ? '' : run.label || (i === 0 ? 'base' : 'new'),
      result: run.result, display: run.display || {}})));
  };

  // What live.js shares instead of its own copies.
  report.util = {el: el, fmtSeconds: fmtSeconds, fmtElapsed: fmtElapsed, fmtCount: fmtCount,
    fmtNumber: fmtNumber, fmtPercent: fmtPercent};

  followSize();
  // The live page draws nothing until its first update; a report draws what it embeds.
  if (!report.live) draw(loadRuns());
})();
