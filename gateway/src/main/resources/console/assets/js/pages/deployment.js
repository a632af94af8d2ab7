// One deployment: its state (refreshed every 3 s), charts of its metrics (every 15 s), its
// instances and their logs, scaling events, settings, revisions, rollback and delete.
import {get, patch, post, del, seg} from '../api.js';
import {
  h, replace, append, pageHeader, card, badge, table, button, field, select, notice, errorText,
  form, confirmDialog, facts, num, time, ago,
} from '../dom.js';

const BASE = '/console/';

/** The settings a PATCH changes live, in the order of docs/api.md. */
const SETTINGS = [
  {name: 'min_instances', label: 'Min instances', type: 'int', min: 0},
  {name: 'max_instances', label: 'Max instances', type: 'int', min: 1},
  {name: 'scale_to_zero_after_s', label: 'Scale to zero after (s)', type: 'int', min: 30, max: 86400},
  {name: 'activation_timeout_s', label: 'Activation timeout (s)', type: 'int', min: 10, max: 3600},
  {name: 'max_queued_requests', label: 'Max queued requests', type: 'int', min: 1, max: 100000},
  {name: 'target_utilization', label: 'Target utilization', type: 'number', min: 0.1, max: 1, step: 0.001},
  {name: 'stable_window_s', label: 'Stable window (s)', type: 'int', min: 6, max: 3600},
  {name: 'max_surge', label: 'Max surge (rollouts)', type: 'int', min: 0, max: 8},
  {name: 'billing_aware_scale_down', label: 'Billing-aware scale-down', type: 'bool'},
];

/** The metrics charts: id, title, and the series read from each point. */
const CHARTS = [
  {id: 'chart-requests', title: 'Requests per minute', series: [
    {label: '2xx', stroke: '#2b8a3e', value: (p) => p.requests && p.requests['2xx']},
    {label: '4xx', stroke: '#e8a317', value: (p) => p.requests && p.requests['4xx']},
    {label: '5xx', stroke: '#c92a2a', value: (p) => p.requests && p.requests['5xx']},
  ]},
  {id: 'chart-latency', title: 'Latency (ms)', series: [
    {label: 'p50', stroke: '#3b5bdb', value: (p) => p.latency_ms && p.latency_ms.p50},
    {label: 'p95', stroke: '#862e9c', value: (p) => p.latency_ms && p.latency_ms.p95},
  ]},
  {id: 'chart-ttft', title: 'Time to first token (ms)', series: [
    {label: 'p50', stroke: '#3b5bdb', value: (p) => p.ttft_ms && p.ttft_ms.p50},
    {label: 'p95', stroke: '#862e9c', value: (p) => p.ttft_ms && p.ttft_ms.p95},
  ]},
  {id: 'chart-tokens', title: 'Tokens per minute', series: [
    {label: 'in', stroke: '#1098ad', value: (p) => p.tokens_in},
    {label: 'out', stroke: '#d9480f', value: (p) => p.tokens_out},
  ]},
  {id: 'chart-instances', title: 'Instances and queue depth', series: [
    {label: 'desired', stroke: '#868e96', value: (p) => p.instances && p.instances.desired},
    {label: 'ready', stroke: '#2b8a3e', value: (p) => p.instances && p.instances.ready},
    {label: 'queue', stroke: '#c92a2a', value: (p) => p.queue_depth},
  ]},
];

const val = (v) => (v === undefined ? null : v);

function statusLine(d) {
  return [
    badge(d.status),
    d.reason ? h('span', {class: 'reason'}, ` ${d.reason}`) : null,
    d.warning ? h('span', {class: 'muted'}, ` ${d.warning}`) : null,
  ];
}

function overview(d, ctx) {
  const a = d.autoscaler;
  return [
    h('div', {class: 'grid facts-columns'},
      facts([
        ['Model', [d.model || d.model_id, d.source ? h('span', {class: 'muted'}, ` (${d.source})`) : null]],
        ['Family', d.family],
        ['GPU', `${d.gpu} × ${num(d.num_gpus)}`],
        ['Max batch size', num(d.max_batch_size)],
        ['Revision', num(d.revision)],
        ['Instances', `${num(d.instances.desired)} desired · ${num(d.instances.starting)} starting · ${num(d.instances.ready)} ready · ${num(d.instances.draining)} draining`],
      ]),
      facts([
        ['Call it as', [h('code', {}, d.model_name), d.full_name ? h('span', {class: 'muted'}, ` or ${d.full_name}`) : null]],
        ctx.session.canInfer()
          ? ['Try it', h('a', {href: `${BASE}playground?deployment=${encodeURIComponent(d.model_name)}`, id: 'open-playground'}, 'Open in playground')]
          : null,
        ['Queue depth', num(d.queue_depth)],
        ['Created', time(d.created_at)],
        ['Updated', h('time', {datetime: d.updated_at, title: time(d.updated_at)}, ago(d.updated_at))],
      ])),
    a ? h('p', {class: 'muted decision'}, `Last scaling decision (${a.mode || 'wake-up'}, ${ago(a.at)}): ${a.desired} instance${a.desired === 1 ? '' : 's'}; ${a.reason}`) : null,
  ];
}

function rolloutBox(d) {
  if (!d.rollout) return null;
  const r = d.rollout;
  const rows = Object.entries(r.instances || {}).map(([rev, c]) => ({rev, ...c}))
    .sort((x, y) => Number(y.rev) - Number(x.rev));
  return notice('warning',
    h('p', {}, h('strong', {}, `Rolling out: revision ${r.from_revision} → revision ${r.to_revision}`)),
    table({
      columns: [
        {label: 'Revision', cell: (x) => x.rev},
        {label: 'Starting', class: 'num', cell: (x) => num(x.starting)},
        {label: 'Ready', class: 'num', cell: (x) => num(x.ready)},
        {label: 'Draining', class: 'num', cell: (x) => num(x.draining)},
      ],
      rows,
    }));
}

function eventText(e) {
  if (e.object === 'scaling_event') {
    return [`Scaled ${e.from} → ${e.to}${e.mode ? ` (${e.mode})` : ''}`,
      e.reason ? h('div', {class: 'muted'}, e.reason) : null];
  }
  return [`Instance ${e.instance_id} ${e.type}`,
    e.revision !== undefined && e.revision !== null ? ` (revision ${e.revision}${e.gpu ? `, ${e.gpu}` : ''})` : '',
    e.detail ? h('div', {class: 'muted'}, e.detail) : null];
}

function revisionSummary(r) {
  const engine = r.engine && Object.keys(r.engine).length
    ? `; engine ${Object.entries(r.engine).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')}`
    : '';
  return `${r.model || r.model_id} on ${r.gpu} × ${r.num_gpus}, batch ${r.max_batch_size}${engine}`;
}

/** A uPlot chart in a `.chart` box, sized to its container, updated with setData. */
function makeChart(spec, ctx) {
  const box = h('div', {class: 'chart', id: spec.id, 'data-points': '0'});
  const title = h('h3', {}, spec.title);
  const plot = h('div', {class: 'chart-plot'});
  append(box, [title, plot]);
  let chart = null;
  let observer = null;
  const size = () => ({width: Math.max(Math.floor(plot.clientWidth), 200), height: 150});
  const update = (points) => {
    const xs = points.map((p) => Math.floor(new Date(p.at).getTime() / 1000));
    const ys = spec.series.map((s) => points.map((p) => val(s.value(p))));
    const withData = points.filter((p) => spec.series.some((s) => {
      const v = s.value(p);
      return v !== null && v !== undefined && v !== 0;
    })).length;
    box.setAttribute('data-points', String(withData));
    const last = points.length ? spec.series.map((s) => val(s.value(points[points.length - 1]))) : [];
    box.setAttribute('data-last', JSON.stringify(last));
    if (!window.uPlot) {
      replace(plot, notice('warning', 'The chart library did not load.'));
      return;
    }
    const data = [xs, ...ys];
    if (chart) {
      chart.setData(data);
      return;
    }
    chart = new window.uPlot({
      ...size(),
      legend: {show: true},
      cursor: {drag: {x: false, y: false}},
      scales: {x: {time: true}},
      axes: [{}, {size: 55}],
      series: [{}, ...spec.series.map((s) => ({label: s.label, stroke: s.stroke, width: 2, spanGaps: false, points: {show: true, size: 4}}))],
    }, data, plot);
    if (window.ResizeObserver) {
      let width = size().width;
      observer = new ResizeObserver(() => {
        requestAnimationFrame(() => {
          const next = size();
          if (chart && Math.abs(next.width - width) > 1) {
            width = next.width;
            chart.setSize(next);
          }
        });
      });
      observer.observe(plot);
    }
  };
  ctx.onLeave(() => {
    if (observer) observer.disconnect();
    if (chart) chart.destroy();
    chart = null;
  });
  return {box, update};
}

function settingsForm(d, ctx, onSaved) {
  let baseline = {...d.settings};
  const inputs = {};
  const controls = SETTINGS.map((s) => {
    if (s.type === 'bool') {
      const input = h('input', {type: 'checkbox', name: s.name, id: `setting-${s.name}`, checked: Boolean(baseline[s.name])});
      inputs[s.name] = input;
      return h('div', {class: 'check'}, input, h('label', {for: input.id}, s.label));
    }
    const input = h('input', {
      type: 'number', name: s.name, id: `setting-${s.name}`, min: s.min, max: s.max,
      step: s.step || 1, value: baseline[s.name] === null || baseline[s.name] === undefined ? '' : String(baseline[s.name]),
    });
    inputs[s.name] = input;
    return field(s.label, input);
  });
  const fill = (settings) => {
    for (const s of SETTINGS) {
      const input = inputs[s.name];
      input.removeAttribute('aria-invalid');
      if (s.type === 'bool') input.checked = Boolean(settings[s.name]);
      else input.value = settings[s.name] === null || settings[s.name] === undefined ? '' : String(settings[s.name]);
    }
  };
  const el = form(async (data, formEl) => {
    const status = formEl.querySelector('.form-status');
    const changed = {};
    for (const s of SETTINGS) {
      const input = inputs[s.name];
      input.removeAttribute('aria-invalid');
      let value;
      if (s.type === 'bool') value = input.checked;
      else if (input.value.trim() === '') value = null; // null resets to the default
      else value = Number(input.value);
      if (value !== baseline[s.name]) changed[s.name] = value;
    }
    if (Object.keys(changed).length === 0) {
      replace(status, notice('info', 'Nothing changed.'));
      return;
    }
    let updated;
    try {
      updated = await patch(`/api/v1/deployments/${seg(d.id)}`, {settings: changed});
    } catch (err) {
      const name = err && err.param ? String(err.param).replace(/^settings\./, '') : null;
      if (name && inputs[name]) {
        inputs[name].setAttribute('aria-invalid', 'true');
        inputs[name].focus();
      }
      throw err;
    }
    if (!ctx.current()) return;
    baseline = {...updated.settings};
    fill(baseline);
    replace(status, notice('success', `Saved: ${Object.keys(changed).join(', ')}.`));
    onSaved(updated);
  },
  h('div', {class: 'field-row'}, controls),
  h('p', {class: 'hint'}, 'Only the fields you change are sent; an emptied field goes back to its default.'),
  h('div', {class: 'actions'}, button('Save settings', null, {kind: 'primary', type: 'submit', attrs: {id: 'settings-save'}})));
  el.id = 'settings-form';
  return el;
}

function settingsReadOnly(d) {
  const dl = facts(SETTINGS.map((s) => {
    const v = d.settings[s.name];
    return [s.label, s.type === 'bool' ? (v ? 'yes' : 'no') : num(v, 3)];
  }));
  dl.id = 'settings-readonly';
  return dl;
}

async function hardwareForm(d, ctx, onSaved) {
  let gpus = [];
  try {
    gpus = (await get('/api/v1/hardware')).data || [];
  } catch {
    gpus = [];
  }
  const gpuOptions = gpus.length ? gpus.map((g) => ({value: g.gpu, label: `${g.gpu} (${g.memory_gb} GB)`})) : [d.gpu];
  const gpu = select('gpu', gpuOptions, d.gpu, {id: 'hw-gpu'});
  const numGpus = select('num_gpus', ['1', '2', '4', '8'], String(d.num_gpus), {id: 'hw-num-gpus'});
  const batch = h('input', {type: 'number', name: 'max_batch_size', id: 'hw-max-batch-size', min: 1, max: 1024, value: String(d.max_batch_size)});
  const model = h('input', {type: 'text', name: 'model', id: 'hw-model', value: d.model || d.model_id, autocomplete: 'off'});
  const before = {gpu: d.gpu, num_gpus: d.num_gpus, max_batch_size: d.max_batch_size, model: d.model || d.model_id};
  const el = form(async (data, formEl) => {
    const status = formEl.querySelector('.form-status');
    const body = {};
    if (gpu.value !== before.gpu) body.gpu = gpu.value;
    if (Number(numGpus.value) !== before.num_gpus) body.num_gpus = Number(numGpus.value);
    if (Number(batch.value) !== before.max_batch_size) body.max_batch_size = Number(batch.value);
    if (model.value.trim() !== before.model) body.model = model.value.trim();
    if (Object.keys(body).length === 0) {
      replace(status, notice('info', 'Nothing changed.'));
      return;
    }
    const ok = await confirmDialog('Start a rollout?',
      `Changing ${Object.keys(body).join(', ')} of ${d.model_name} creates a new revision and replaces its instances while the old ones keep serving.`,
      'Start rollout', 'primary');
    if (!ok) return;
    const updated = await patch(`/api/v1/deployments/${seg(d.id)}`, body);
    if (!ctx.current()) return;
    Object.assign(before, {gpu: updated.gpu, num_gpus: updated.num_gpus, max_batch_size: updated.max_batch_size, model: updated.model || updated.model_id});
    replace(status, notice('success', `Revision ${updated.revision} is rolling out.`));
    onSaved(updated);
  },
  h('div', {class: 'field-row'},
    field('GPU', gpu), field('GPUs per instance', numGpus), field('Max batch size', batch),
    field('Model (library name or id)', model)),
  h('div', {class: 'actions'}, button('Start rollout', null, {kind: 'secondary', type: 'submit', attrs: {id: 'hw-submit'}})));
  el.id = 'hardware-form';
  const box = h('details', {class: 'advanced'}, h('summary', {}, 'Advanced: change hardware (rollout)'),
    h('p', {class: 'hint'}, 'A new revision boots new instances; the old ones serve until they are ready.'), el);
  /** Shows another revision's content (a rollback, a failed rollout, another client's change). */
  const sync = (next) => {
    Object.assign(before, {gpu: next.gpu, num_gpus: next.num_gpus, max_batch_size: next.max_batch_size, model: next.model || next.model_id});
    gpu.value = before.gpu;
    numGpus.value = String(before.num_gpus);
    batch.value = String(before.max_batch_size);
    model.value = before.model;
  };
  return {box, sync};
}

export async function render(ctx) {
  const id = ctx.params.id;
  const path = `/api/v1/deployments/${seg(id)}`;
  let d = await get(path); // another tenant's or an unknown id: 404, the app's 404 page
  if (!ctx.current()) return;
  const canWrite = ctx.session.can('deployments:write');
  ctx.title(d.model_name);

  // ---- header and overview ----
  const status = h('p', {id: 'deployment-status', class: 'status-line', 'aria-live': 'polite'}, statusLine(d));
  const pageStatus = h('div', {id: 'page-status'});
  const deleteButton = canWrite
    ? button('Delete', async () => {
      const ok = await confirmDialog(`Delete ${d.model_name}?`,
        `The deployment ${d.model_name} stops all its instances and stops answering requests. This cannot be undone.`,
        `Delete ${d.model_name}`);
      if (!ok) return;
      try {
        await del(path);
        if (ctx.current()) ctx.navigate('deployments');
      } catch (err) {
        if (ctx.current()) replace(pageStatus, notice('error', errorText(err)));
      }
    }, {kind: 'danger', attrs: {id: 'delete-deployment'}})
    : null;
  const overviewBody = h('div', {id: 'deployment-facts'}, overview(d, ctx));
  const rollout = h('div', {id: 'rollout', 'aria-live': 'polite'}, rolloutBox(d));

  // ---- charts ----
  const charts = CHARTS.map((spec) => makeChart(spec, ctx));
  const chartsStatus = h('div', {});

  // ---- instances and logs ----
  const instancesBody = h('div', {id: 'instances'});
  const logsBox = h('div', {id: 'logs-panel'});
  let logsFor = null;

  const showLogs = async (iid) => {
    logsFor = iid;
    const pre = h('pre', {class: 'logs', id: 'logs', tabindex: '0', 'aria-label': `Logs of ${iid}`}, 'Loading…');
    const head = h('div', {class: 'actions logs-head'},
      h('h3', {}, `Logs of ${iid} (last 200 lines)`),
      button('Refresh logs', () => loadLogs(), {attrs: {class: 'btn btn-secondary btn-small', id: 'logs-refresh'}}),
      button('Close', () => { logsFor = null; replace(logsBox); }, {attrs: {class: 'btn btn-link btn-small', id: 'logs-close'}}));
    replace(logsBox, head, pre);
    const loadLogs = async () => {
      try {
        const logs = await get(`${path}/instances/${seg(iid)}/logs?tail=200`);
        if (!ctx.current() || logsFor !== iid) return;
        const lines = logs.lines || [];
        replace(logsBox, head, lines.length ? h('pre', {class: 'logs', id: 'logs', tabindex: '0', 'aria-label': `Logs of ${iid}`}, lines.join('\n'))
          : h('p', {class: 'empty', id: 'logs'}, 'No log lines yet.'));
      } catch (err) {
        if (!ctx.current() || logsFor !== iid) return;
        const text = err.code === 'logs_unavailable'
          ? 'Logs are not available from this gateway (it runs without an instance runtime).'
          : errorText(err);
        replace(logsBox, head, notice(err.code === 'logs_unavailable' ? 'info' : 'error', text));
      }
    };
    await loadLogs();
  };

  const instancesTable = (list) => table({
    columns: [
      {label: 'Instance', cell: (i) => h('code', {}, i.id)},
      {label: 'State', cell: (i) => badge(i.state)},
      {label: 'Revision', class: 'num', cell: (i) => num(i.revision)},
      {label: 'GPU', cell: (i) => i.gpu},
      {label: 'Started', cell: (i) => (i.started_at ? h('time', {datetime: i.started_at, title: time(i.started_at)}, ago(i.started_at)) : 'waiting for GPUs')},
      {label: 'In flight', class: 'num', cell: (i) => num(i.requests_in_flight)},
      {label: 'Last failure', cell: (i) => (i.last_failure ? `${i.last_failure.reason} (${ago(i.last_failure.at)})` : '—')},
      {label: 'Logs', cell: (i) => button('Logs', () => showLogs(i.id), {attrs: {class: 'btn btn-secondary btn-small logs-button', 'aria-label': `Logs of ${i.id}`}})},
    ],
    rows: list,
    empty: 'No instances: it is scaled to zero. A request wakes it up.',
    rowAttrs: (i) => ({'data-id': i.id, 'data-state': i.state}),
  });

  // ---- events ----
  const eventsBody = h('div', {id: 'events'});
  const eventsTable = (list) => table({
    columns: [
      {label: 'Time', cell: (e) => h('time', {datetime: e.at, title: time(e.at)}, time(e.at))},
      {label: 'Kind', cell: (e) => (e.object === 'scaling_event' ? badge('scaling', 'scaling') : badge(e.type, `instance ${e.type}`))},
      {label: 'What happened', cell: eventText},
    ],
    rows: list,
    empty: 'No events yet.',
    rowAttrs: (e) => ({'data-kind': e.object}),
  });

  // ---- revisions ----
  const revisionsBody = h('div', {id: 'revisions'});
  const revisionsStatus = h('div', {id: 'revisions-status', 'aria-live': 'polite'});
  const revisionsTable = (list) => table({
    columns: [
      {label: 'Revision', class: 'num', cell: (r) => num(r.revision)},
      {label: 'Status', cell: (r) => badge(r.status)},
      {label: 'Changed', cell: (r) => (r.changed && r.changed.length ? r.changed.join(', ') : '—')},
      {label: 'Content', cell: revisionSummary},
      {label: 'Reason', cell: (r) => r.reason || '—'},
      {label: 'Created', cell: (r) => time(r.created_at)},
    ],
    rows: list,
    empty: 'No revisions.',
    rowAttrs: (r) => ({'data-revision': r.revision, 'data-status': r.status}),
  });
  let revisionsKey = null;
  const loadRevisions = async (force = false) => {
    const key = `${d.revision}/${d.version}/${d.rollout ? 'r' : ''}/${d.reason || ''}`;
    if (!force && key === revisionsKey) return;
    const list = await get(`${path}/revisions`);
    if (!ctx.current()) return;
    revisionsKey = key;
    replace(revisionsBody, revisionsTable(list.data || []));
  };
  const rollbackButton = canWrite
    ? button('Roll back', async () => {
      const ok = await confirmDialog(`Roll back ${d.model_name}?`,
        'A new revision with the content of the previous one replaces the current instances (during a rollout, the rollout is abandoned).',
        'Roll back', 'primary');
      if (!ok) return;
      replace(revisionsStatus);
      try {
        const updated = await post(`${path}/rollback`);
        if (!ctx.current()) return;
        replace(revisionsStatus, notice('success', `Rolling back: revision ${updated.revision} is on its way.`));
        d = updated;
        await refresh();
      } catch (err) {
        if (ctx.current()) replace(revisionsStatus, notice('error', errorText(err)));
      }
    }, {attrs: {id: 'rollback'}})
    : null;

  // ---- settings ----
  const applyUpdate = async (updated) => {
    d = updated;
    await refresh();
  };
  const hardware = canWrite ? await hardwareForm(d, ctx, applyUpdate) : null;
  let shownRevision = d.revision;
  const settingsBody = canWrite
    ? [settingsForm(d, ctx, applyUpdate), hardware.box]
    : [settingsReadOnly(d), h('p', {class: 'hint'}, 'A key with deployments:write can change these.')];
  if (!ctx.current()) return;

  const section = (id, title, ...children) => {
    const c = card(title, ...children);
    c.id = id;
    return c;
  };
  append(ctx.view, [
    pageHeader(d.model_name, deleteButton),
    status,
    pageStatus,
    rollout,
    section('instances-card', 'Instances', instancesBody, logsBox),
    section('metrics', 'Metrics (last hour)', chartsStatus, h('div', {class: 'charts'}, charts.map((c) => c.box))),
    section('overview', 'Overview', overviewBody),
    section('events-card', 'Scaling events', eventsBody),
    section('settings-card', 'Settings', h('div', {id: 'settings'}, settingsBody)),
    section('revisions-card', 'Revisions', revisionsStatus, revisionsBody, rollbackButton ? h('div', {class: 'actions'}, rollbackButton) : null),
  ]);

  // ---- live refresh ----
  async function refresh() {
    try {
      const [fresh, instances, events] = await Promise.all([
        get(path), get(`${path}/instances`), get(`${path}/events`)]);
      if (!ctx.current()) return;
      d = fresh;
      if (hardware && d.revision !== shownRevision) hardware.sync(d);
      shownRevision = d.revision;
      replace(status, statusLine(d));
      replace(overviewBody, overview(d, ctx));
      replace(rollout, rolloutBox(d));
      replace(instancesBody, instancesTable(instances.data || []));
      replace(eventsBody, eventsTable(events.data || []));
      replace(pageStatus);
      await loadRevisions();
    } catch (err) {
      if (!ctx.current() || err.status === 401) return;
      if (err.status === 404) {
        replace(status, badge('deleted'), ' This deployment is gone.');
        replace(pageStatus, notice('warning', 'This deployment no longer exists. ', h('a', {href: `${BASE}deployments`}, 'Back to the deployments')));
        return;
      }
      replace(pageStatus, notice('error', errorText(err)));
    }
  }

  async function loadMetrics() {
    try {
      const to = Math.floor(Date.now() / 1000);
      const m = await get(`${path}/metrics?from=${to - 3600}&to=${to}&step=60`);
      if (!ctx.current()) return;
      for (const c of charts) c.update(m.points || []);
      replace(chartsStatus);
    } catch (err) {
      if (!ctx.current() || err.status === 401 || err.status === 404) return;
      replace(chartsStatus, notice('error', errorText(err)));
    }
  }

  await refresh();
  if (!ctx.current()) return;
  await loadMetrics();
  ctx.every(3000, refresh);
  ctx.every(15000, loadMetrics);
}
