// One deployment: its state (refreshed every 3 s), charts of its metrics (every 15 s), its
// instances and their logs, scaling events, settings, revisions, rollback and delete.
import {get, patch, post, del, seg} from '../api.js';
import {
  h, replace, update, append, pageHeader, card, badge, table, button, field, select, notice, errorText,
  form, confirmDialog, facts, num, time, ago, usd,
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

/** The text alternative of a chart: its title and the values of its last point. */
function chartSummary(spec, points) {
  if (!points.length) return `${spec.title}: no data yet`;
  const p = points[points.length - 1];
  const values = spec.series.map((s) => `${s.label} ${num(val(s.value(p)), 1)}`);
  return `${spec.title}, last minute (${time(p.at)}): ${values.join(', ')}`;
}

/** A uPlot chart in a `.chart` box, sized to its container, updated with setData. */
function makeChart(spec, ctx) {
  const box = h('div', {class: 'chart', id: spec.id, 'data-points': '0', role: 'img', 'aria-label': `${spec.title}: no data yet`});
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
    box.setAttribute('aria-label', chartSummary(spec, points));
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

/**
 * Refuses number inputs whose text the browser cannot read (`3e`, `12,5`: their value is '' like
 * an empty field's): marks them invalid, focuses the first, and answers the error notice naming
 * them; null when every one is empty or a number. pairs: [[label, input], …].
 */
function unreadableNumbers(pairs) {
  const bad = [];
  for (const [label, input] of pairs) {
    input.removeAttribute('aria-invalid');
    const text = input.value.trim();
    if ((input.validity && input.validity.badInput) || (text !== '' && !Number.isFinite(Number(text)))) {
      input.setAttribute('aria-invalid', 'true');
      bad.push([label, input]);
    }
  }
  if (!bad.length) return null;
  bad[0][1].focus();
  return notice('error', `Not a number: ${bad.map(([label]) => label).join(', ')}. Nothing was saved; `
    + 'enter a number (with a "." for decimals), or empty the field for the default.');
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
    const unreadable = unreadableNumbers(SETTINGS.filter((s) => s.type !== 'bool').map((s) => [s.label, inputs[s.name]]));
    if (unreadable) {
      replace(status, unreadable);
      return;
    }
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

/** The engine options of docs/api.md "Engine options", as the rollout form edits them. */
const ENGINE = [
  {name: 'max_model_len', label: 'Max model length (tokens)', type: 'int', min: 128, max: 1048576},
  {name: 'gpu_memory_utilization', label: 'GPU memory utilization', type: 'number', min: 0.1, max: 1, step: 0.001},
  {name: 'enable_prefix_caching', label: 'Prefix caching', type: 'bool'},
  {name: 'tool_call_parser', label: 'Tool call parser', type: 'choice', values: ['deepseek_v3', 'glm45', 'granite', 'granite-20b-fc', 'hermes', 'hunyuan_a13b', 'internlm', 'jamba', 'kimi_k2', 'llama3_json', 'llama4_json', 'llama4_pythonic', 'minimax', 'mistral', 'openai', 'phi4_mini_json', 'pythonic', 'qwen3_coder', 'xlam']},
  {name: 'reasoning_parser', label: 'Reasoning parser', type: 'choice', values: ['deepseek_r1', 'glm45', 'granite', 'hunyuan_a13b', 'mistral', 'openai_gptoss', 'qwen3', 'step3']},
  {name: 'dtype', label: 'Data type', type: 'choice', values: ['auto', 'bfloat16', 'float', 'float16', 'float32', 'half']},
  {name: 'quantization', label: 'Quantization', type: 'choice', values: ['awq', 'awq_marlin', 'bitsandbytes', 'compressed-tensors', 'experts_int8', 'fbgemm_fp8', 'fp8', 'gguf', 'gptq', 'gptq_marlin', 'gptq_marlin_24', 'hqq', 'modelopt', 'mxfp4', 'torchao']},
];

const present = (v) => v !== null && v !== undefined;

/** The GPU types for a model (`?model=`: fits, min_gpus, prices); the plain catalog if that fails. */
async function loadGpus(modelId) {
  try {
    return (await get(`/api/v1/hardware?model=${encodeURIComponent(modelId)}`)).data || [];
  } catch {
    try {
      return (await get('/api/v1/hardware')).data || [];
    } catch {
      return [];
    }
  }
}

async function hardwareForm(d, ctx, onSaved) {
  const gpus = await loadGpus(d.model_id);
  // Only what fits the model (fits null: unknown size, offered), and always the current type.
  const offered = gpus.filter((g) => g.fits !== false || g.gpu === d.gpu);
  const gpuLabel = (g) => {
    const price = g.usd_per_gpu_hour !== undefined && g.usd_per_gpu_hour !== null ? `, ${usd(g.usd_per_gpu_hour)}/GPU-hour` : '';
    const min = g.min_gpus > 1 ? `, needs ≥ ${g.min_gpus} GPUs` : '';
    return `${g.gpu} (${g.memory_gb} GB${price}${min})`;
  };
  const gpuOptions = offered.length ? offered.map((g) => ({value: g.gpu, label: gpuLabel(g)})) : [d.gpu];
  const gpu = select('gpu', gpuOptions, d.gpu, {id: 'hw-gpu'});
  const numGpus = select('num_gpus', [], String(d.num_gpus), {id: 'hw-num-gpus'});
  /** The GPU counts of the chosen type (at least its min_gpus), keeping `keep` when offered. */
  const fillCounts = (keep) => {
    const g = gpus.find((x) => x.gpu === gpu.value);
    let counts = g && g.num_gpus_options ? g.num_gpus_options : [1, 2, 4, 8];
    if (g && g.min_gpus) counts = counts.filter((n) => n >= g.min_gpus);
    if (!counts.includes(Number(keep)) && gpu.value === before.gpu) counts = [...counts, Number(keep)].sort((a, b) => a - b);
    replace(numGpus, counts.map((n) => h('option', {value: String(n), selected: String(n) === String(keep)}, String(n))));
    if (!counts.includes(Number(keep)) && counts.length) numGpus.value = String(counts[0]);
  };
  const batch = h('input', {type: 'number', name: 'max_batch_size', id: 'hw-max-batch-size', min: 1, max: 1024, value: String(d.max_batch_size)});
  const model = h('input', {type: 'text', name: 'model', id: 'hw-model', value: d.model || d.model_id, autocomplete: 'off'});
  const before = {gpu: d.gpu, num_gpus: d.num_gpus, max_batch_size: d.max_batch_size, model: d.model || d.model_id, engine: {...(d.engine || {})}};
  fillCounts(d.num_gpus);

  // ---- engine options ----
  const engineInputs = {};
  const engineControls = ENGINE.map((o) => {
    const id = `hw-engine-${o.name.replace(/_/g, '-')}`;
    if (o.type === 'bool') {
      const input = h('input', {type: 'checkbox', name: `engine.${o.name}`, id});
      engineInputs[o.name] = input;
      return h('div', {class: 'check'}, input, h('label', {for: id}, `${o.label} (--enable-prefix-caching)`));
    }
    if (o.type === 'choice') {
      const input = select(`engine.${o.name}`, [{value: '', label: 'engine default'}, ...o.values], '', {id});
      engineInputs[o.name] = input;
      return field(o.label, input);
    }
    const input = h('input', {type: 'number', name: `engine.${o.name}`, id, min: o.min, max: o.max, step: o.step || 1, placeholder: 'engine default'});
    engineInputs[o.name] = input;
    return field(o.label, input);
  });
  const specModel = h('input', {type: 'text', name: 'engine.speculative.model', id: 'hw-engine-speculative-model', autocomplete: 'off', spellcheck: 'false', placeholder: 'unchanged'});
  const specTokens = h('input', {type: 'number', name: 'engine.speculative.num_speculative_tokens', id: 'hw-engine-speculative-tokens', min: 1, max: 16, placeholder: '1–16'});
  const specHint = h('span', {});
  const showEngine = (engine) => {
    for (const o of ENGINE) {
      const input = engineInputs[o.name];
      const v = engine[o.name];
      if (o.type === 'bool') input.checked = v === true;
      else input.value = present(v) ? String(v) : '';
    }
    specModel.value = '';
    specTokens.value = engine.speculative && engine.speculative.num_speculative_tokens ? String(engine.speculative.num_speculative_tokens) : '';
    replace(specHint, engine.speculative
      ? `Now: ${engine.speculative.source} with ${engine.speculative.num_speculative_tokens} tokens. Name a draft model of your library to change it, or type "off".`
      : 'Off. Name a ready draft model of your library (and the tokens) to turn it on.');
  };
  showEngine(before.engine);

  /** The engine fields that differ from the revision shown: a value, or null back to the default. */
  const engineChanges = () => {
    const out = {};
    for (const o of ENGINE) {
      const input = engineInputs[o.name];
      const was = before.engine[o.name];
      if (o.type === 'bool') {
        if (input.checked !== (was === true) && (input.checked || present(was))) out[o.name] = input.checked;
      } else if (o.type === 'choice') {
        const next = input.value || null;
        if (next !== (present(was) ? String(was) : null)) out[o.name] = next;
      } else {
        const text = input.value.trim();
        const next = text === '' ? null : Number(text);
        if (next !== (present(was) ? Number(was) : null)) out[o.name] = next;
      }
    }
    const spec = specModel.value.trim();
    if (spec.toLowerCase() === 'off') {
      if (before.engine.speculative) out.speculative = 'off';
    } else if (spec) {
      out.speculative = {model: spec, num_speculative_tokens: Number(specTokens.value.trim() || 1)};
    } else if (before.engine.speculative && specTokens.value.trim()
        && Number(specTokens.value) !== before.engine.speculative.num_speculative_tokens) {
      throw new Error('To change the speculative tokens, name the draft model again.');
    }
    return out;
  };

  // Fields the user has touched since the last rollout: a new revision does not overwrite them.
  const touched = new Set();
  const el = form(async (data, formEl) => {
    const status = formEl.querySelector('.form-status');
    for (const input of formEl.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    const unreadable = unreadableNumbers([['Max batch size', batch],
      ...ENGINE.filter((o) => o.type === 'int' || o.type === 'number').map((o) => [o.label, engineInputs[o.name]]),
      ['Speculative tokens', specTokens]]);
    if (unreadable) {
      replace(status, unreadable);
      return;
    }
    const body = {};
    if (gpu.value !== before.gpu) body.gpu = gpu.value;
    if (Number(numGpus.value) !== before.num_gpus) body.num_gpus = Number(numGpus.value);
    if (Number(batch.value) !== before.max_batch_size) body.max_batch_size = Number(batch.value);
    if (model.value.trim() !== before.model) body.model = model.value.trim();
    let engine;
    try {
      engine = engineChanges();
    } catch (err) {
      specModel.setAttribute('aria-invalid', 'true');
      specModel.focus();
      replace(status, notice('error', err.message));
      return;
    }
    if (Object.keys(engine).length) body.engine = engine;
    if (Object.keys(body).length === 0) {
      replace(status, notice('info', 'Nothing changed.'));
      return;
    }
    const what = [...Object.keys(body).filter((k) => k !== 'engine'), ...Object.keys(engine).map((k) => `engine.${k}`)];
    const ok = await confirmDialog('Start a rollout?',
      `Changing ${what.join(', ')} of ${d.model_name} creates a new revision and replaces its instances while the old ones keep serving.`,
      'Start rollout', 'primary');
    if (!ok || !ctx.current()) return;
    let updated;
    try {
      updated = await patch(`/api/v1/deployments/${seg(d.id)}`, body);
    } catch (err) {
      const param = err && err.param ? String(err.param) : '';
      const target = param.startsWith('engine.speculative') ? (param.endsWith('num_speculative_tokens') ? specTokens : specModel)
        : param.startsWith('engine.') ? engineInputs[param.slice(7)]
          : {gpu, num_gpus: numGpus, max_batch_size: batch, model}[param];
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        target.focus();
      }
      throw err;
    }
    if (!ctx.current()) return;
    touched.clear();
    sync(updated);
    replace(status, notice('success', `Revision ${updated.revision} is rolling out.`));
    onSaved(updated);
  },
  h('div', {class: 'field-row'},
    field('GPU', gpu, offered.length < gpus.length ? 'Only the types the model fits on are offered.' : null),
    field('GPUs per instance', numGpus), field('Max batch size', batch),
    field('Model (library name or id)', model)),
  h('h3', {}, 'Engine options'),
  h('p', {class: 'hint'}, 'vLLM options (docs/api.md, "Engine options"); an emptied field or "engine default" goes back to the engine\'s default. Only the options you change are sent.'),
  h('div', {class: 'field-row', id: 'hw-engine'}, engineControls),
  h('div', {class: 'field-row'},
    field('Speculative decoding: draft model', specModel, specHint),
    field('Speculative tokens', specTokens)),
  h('div', {class: 'actions'}, button('Start rollout', null, {kind: 'secondary', type: 'submit', attrs: {id: 'hw-submit'}})));
  el.id = 'hardware-form';
  el.addEventListener('input', (e) => { if (e.target && e.target.id) touched.add(e.target.id); });
  el.addEventListener('change', (e) => { if (e.target && e.target.id) touched.add(e.target.id); });
  gpu.addEventListener('change', () => fillCounts(numGpus.value));
  const box = h('details', {class: 'advanced'}, h('summary', {}, 'Advanced: change hardware or engine options (rollout)'),
    h('p', {class: 'hint'}, 'A new revision boots new instances; the old ones serve until they are ready.'), el);
  /**
   * Shows another revision's content (a rollback, a failed rollout, another client's change); a
   * field the user has changed since keeps what they typed.
   */
  function sync(next) {
    Object.assign(before, {gpu: next.gpu, num_gpus: next.num_gpus, max_batch_size: next.max_batch_size, model: next.model || next.model_id, engine: {...(next.engine || {})}});
    if (!touched.has(gpu.id)) gpu.value = before.gpu;
    if (!touched.has(numGpus.id)) fillCounts(before.num_gpus);
    if (!touched.has(batch.id)) batch.value = String(before.max_batch_size);
    if (!touched.has(model.id)) model.value = before.model;
    const engineTouched = [...Object.values(engineInputs), specModel, specTokens].some((i) => touched.has(i.id));
    if (!engineTouched) showEngine(before.engine);
  }
  return {box, sync};
}

export async function render(ctx) {
  if (!ctx.session.can('deployments:read')) {
    ctx.title('Deployment');
    append(ctx.view, [pageHeader('Deployment'), notice('info',
      'This key cannot read deployments (it lacks deployments:read): sign in with a key that has it to see this deployment.')]);
    return;
  }
  const id = ctx.params.id;
  const path = `/api/v1/deployments/${seg(id)}`;
  let d = await get(path); // another tenant's or an unknown id: 404, the app's 404 page
  if (!ctx.current()) return;
  const canWrite = ctx.session.can('deployments:write');
  ctx.title(d.model_name);
  // The live refresh: at most one tick at a time (a forced refresh, after a change, runs anyway);
  // an answer older than the last one shown is dropped. Once the deployment is gone (deleted
  // elsewhere: the 404 page; deleted here: the list) it stops.
  let inFlight = 0;
  let asked = 0;
  let shown = 0;
  let gone = false;

  // ---- header and overview ----
  const status = h('p', {id: 'deployment-status', class: 'status-line', 'aria-live': 'polite'}, statusLine(d));
  const pageStatus = h('div', {id: 'page-status'});
  const deleteButton = canWrite
    ? button('Delete', async () => {
      const ok = await confirmDialog(`Delete ${d.model_name}?`,
        `The deployment ${d.model_name} stops all its instances and stops answering requests. This cannot be undone.`,
        `Delete ${d.model_name}`);
      if (!ok || !ctx.current()) return;
      gone = true; // deleted here: the list, not the 404 page, comes next
      try {
        await del(path);
        if (ctx.current()) ctx.navigate('deployments');
      } catch (err) {
        gone = false;
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
    const key = `${d.revision}/${d.updated_at}/${d.rollout ? 'r' : ''}/${d.reason || ''}`;
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
      if (!ok || !ctx.current()) return;
      replace(revisionsStatus);
      try {
        const updated = await post(`${path}/rollback`);
        if (!ctx.current()) return;
        replace(revisionsStatus, notice('success', `Rolling back: revision ${updated.revision} is on its way.`));
        d = updated;
        await refresh(true);
      } catch (err) {
        if (ctx.current()) replace(revisionsStatus, notice('error', errorText(err)));
      }
    }, {attrs: {id: 'rollback'}})
    : null;

  // ---- settings ----
  const applyUpdate = async (updated) => {
    d = updated;
    await refresh(true);
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
  async function refresh(force = false) {
    if (gone || (inFlight > 0 && !force)) return;
    const mine = ++asked;
    inFlight += 1;
    try {
      const [fresh, instances, events] = await Promise.all([
        get(path), get(`${path}/instances`), get(`${path}/events`)]);
      if (!ctx.current() || gone || mine < shown) return;
      shown = mine;
      d = fresh;
      if (hardware && d.revision !== shownRevision) hardware.sync(d);
      shownRevision = d.revision;
      update(status, statusLine(d));
      update(overviewBody, overview(d, ctx));
      update(rollout, rolloutBox(d));
      update(instancesBody, instancesTable(instances.data || []));
      update(eventsBody, eventsTable(events.data || []));
      replace(pageStatus);
      await loadRevisions();
    } catch (err) {
      if (!ctx.current() || gone || err.status === 401) return;
      if (err.status === 404) {
        gone = true;
        ctx.notFound('This deployment no longer exists: it was deleted.');
        return;
      }
      if (mine < shown) return;
      replace(pageStatus, notice('error', errorText(err)));
    } finally {
      inFlight -= 1;
    }
  }

  let metricsInFlight = false;
  async function loadMetrics() {
    if (gone || metricsInFlight) return;
    metricsInFlight = true;
    try {
      const to = Math.floor(Date.now() / 1000);
      const m = await get(`${path}/metrics?from=${to - 3600}&to=${to}&step=60`);
      if (!ctx.current()) return;
      for (const c of charts) c.update(m.points || []);
      replace(chartsStatus);
    } catch (err) {
      if (!ctx.current() || gone || err.status === 401 || err.status === 404) return;
      replace(chartsStatus, notice('error', errorText(err)));
    } finally {
      metricsInFlight = false;
    }
  }

  await refresh();
  if (!ctx.current()) return;
  await loadMetrics();
  ctx.every(3000, refresh);
  ctx.every(15000, loadMetrics);
}
