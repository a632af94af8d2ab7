// Deploying a library model: the form of POST /api/v1/deployments, the GPU types and counts that
// fit the model (GET /api/v1/hardware?model=), and a live cost estimate beside it.
import {
  h, append, replace, pageHeader, card, button, field, select, notice, errorText, form, table, bytes,
} from '../dom.js';
import {get, post, seg} from '../api.js';

const USABLE = new Set(['ready', 'unverified']);
const FAMILIES = ['llm', 'embedding', 'rerank', 'image', 'audio'];

// ---------- exact money: prices have at most 6 decimals, so micro-dollars are integers ----------

function micros(price) {
  return Math.round(Number(price) * 1e6);
}

/** Micro-dollars as exact dollars: 2000000 → "$2.00", 1234567 → "$1.234567", 12000000000 → "$12,000.00". */
export function exactUsd(m) {
  const neg = m < 0;
  const abs = Math.abs(m);
  const dollars = Math.floor(abs / 1e6);
  let cents = String(abs % 1e6).padStart(6, '0').replace(/0+$/, '');
  if (cents.length < 2) cents = cents.padEnd(2, '0');
  return `${neg ? '-' : ''}$${dollars.toLocaleString('en-US')}.${cents}`;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The integer of a number input, or null when it is empty or not an integer. */
function intOf(input) {
  const v = input.value.trim();
  if (v === '' || !/^-?\d+$/.test(v)) return null;
  return Number(v);
}

export async function render(ctx) {
  ctx.title('Deploy a model');
  append(ctx.view, pageHeader('Deploy a model'));
  if (!ctx.session.can('deployments:write')) {
    append(ctx.view, notice('info',
      'This key may read deployments but not create them: deploying a model needs the deployments:write scope.'));
    return;
  }

  const library = await get('/api/v1/models');
  if (!ctx.current()) return;
  const usable = library.data.filter((m) => USABLE.has(m.status));
  if (usable.length === 0) {
    append(ctx.view, notice('info',
      'No model of the library can be deployed yet (a model is deployable once it is ready or unverified). ',
      h('a', {href: '/console/models'}, 'Add a model'), '.'));
    return;
  }
  const wanted = ctx.query.get('model');
  const preselected = usable.find((m) => m.id === wanted || m.name === wanted) || usable[0];
  const notDeployable = wanted && !usable.some((m) => m.id === wanted || m.name === wanted)
    ? notice('warning', 'The model asked for is not deployable (unknown, still importing or failed): choose another.')
    : null;

  // ---------- controls ----------
  const modelSelect = select('model', usable.map((m) => ({value: m.id, label: `${m.name} (${m.status})`})),
    preselected.id, {id: 'deploy-model'});
  const modelName = h('input', {name: 'model_name', id: 'deploy-model-name', type: 'text', required: true,
    autocomplete: 'off', spellcheck: 'false', value: preselected.name});
  const family = select('family', FAMILIES, preselected.family, {id: 'deploy-family'});
  const gpu = h('select', {name: 'gpu', id: 'deploy-gpu', required: true});
  const numGpus = h('select', {name: 'num_gpus', id: 'deploy-num-gpus'});
  const numberInput = (name, id, value, attrs = {}) =>
    h('input', {name, id, type: 'number', inputmode: 'numeric', value: String(value), ...attrs});
  const minInstances = numberInput('min_instances', 'deploy-min', 0, {min: 0});
  const maxInstances = numberInput('max_instances', 'deploy-max', 1, {min: 1});
  const scaleToZero = numberInput('scale_to_zero_after_s', 'deploy-scale-to-zero', 300, {min: 30, max: 86400});
  const maxBatch = numberInput('max_batch_size', 'deploy-max-batch', 64, {min: 1, max: 1024});
  const activation = numberInput('activation_timeout_s', 'deploy-activation-timeout', 900, {min: 10, max: 3600});
  const maxQueued = numberInput('max_queued_requests', 'deploy-max-queued', 1000, {min: 1, max: 100000});
  const utilization = h('input', {name: 'target_utilization', id: 'deploy-target-utilization', type: 'number',
    inputmode: 'decimal', step: '0.01', min: '0.1', max: '1', value: '0.7'});
  const stableWindow = numberInput('stable_window_s', 'deploy-stable-window', 60, {min: 6, max: 3600});
  const billingAware = h('input', {name: 'billing_aware_scale_down', id: 'deploy-billing-aware', type: 'checkbox',
    checked: true});
  const maxSurge = numberInput('max_surge', 'deploy-max-surge', 1, {min: 0, max: 8});

  const hardwareInfo = h('div', {id: 'deploy-hardware', 'aria-live': 'polite'});
  const estimate = h('div', {id: 'deploy-estimate', 'aria-live': 'polite'});

  let hardware = null; // the answer of GET /api/v1/hardware?model=
  let nameEdited = false;
  let hardwareSeq = 0;

  modelName.addEventListener('input', () => { nameEdited = true; });

  function selectedModel() {
    return usable.find((m) => m.id === modelSelect.value);
  }

  function gpuEntry() {
    return hardware ? hardware.data.find((g) => g.gpu === gpu.value) : null;
  }

  /** The counts of a GPU type that fit the model (all of them when the fit is unknown). */
  function countsThatFit(g) {
    if (g.fits === false) return [];
    if (g.fits === true && g.min_gpus) return g.num_gpus_options.filter((n) => n >= g.min_gpus);
    return g.num_gpus_options;
  }

  function fillCounts() {
    const g = gpuEntry();
    const before = numGpus.value;
    const counts = g ? countsThatFit(g) : [];
    replace(numGpus, counts.map((n) => h('option', {value: String(n)}, String(n))));
    if (counts.map(String).includes(before)) numGpus.value = before;
  }

  function fitText(g) {
    if (g.fits === true) return g.min_gpus ? `fits on ${plural(g.min_gpus, 'GPU', 'GPUs')} or more` : 'fits';
    if (g.fits === false) return `does not fit on ${Math.max(...g.num_gpus_options)} GPUs`;
    return 'not checked';
  }

  function drawHardware() {
    const m = hardware.model;
    const offered = hardware.data.filter((g) => countsThatFit(g).length > 0);
    const before = gpu.value;
    replace(gpu, offered.map((g) => h('option', {value: g.gpu},
      `${g.gpu} · ${g.memory_gb} GB · ${exactUsd(micros(g.usd_per_gpu_hour))}/GPU-h`)));
    if (offered.some((g) => g.gpu === before)) gpu.value = before;
    fillCounts();
    replace(hardwareInfo,
      h('p', {class: 'muted fit-summary'}, m && m.weight_bytes
        ? `${m.name} has ${bytes(m.weight_bytes)} of weights; a GPU set fits when its memory holds them × 1.2.`
        : `The size of ${m ? m.name : 'the model'} is unknown: every GPU type is offered, its fit was not checked.`
          + (hardware.data.length && hardware.data[0].note ? ` ${hardware.data[0].note}` : '')),
      table({
        caption: 'GPU types',
        columns: [
          {label: 'GPU', cell: (g) => g.gpu, class: 'nowrap'},
          {label: 'Memory', cell: (g) => `${g.memory_gb} GB`, class: 'num nowrap'},
          {label: 'Price per GPU-hour', cell: (g) => exactUsd(micros(g.usd_per_gpu_hour)), class: 'num'},
          {label: 'GPUs per instance', cell: (g) => countsThatFit(g).join(', ') || '—'},
          {label: 'Fit', cell: (g) => fitText(g)},
        ],
        rows: hardware.data,
        rowAttrs: (g) => ({'data-gpu': g.gpu, class: g.fits === false ? 'gpu-unfit' : null}),
      }));
    if (offered.length === 0) {
      append(hardwareInfo, notice('warning', 'This model fits on no GPU type of the catalog.'));
    }
  }

  async function loadHardware() {
    const seq = ++hardwareSeq;
    replace(hardwareInfo, h('p', {class: 'muted'}, 'Loading the GPU types…'));
    const answer = await get(`/api/v1/hardware?model=${seg(modelSelect.value)}`);
    if (!ctx.current() || seq !== hardwareSeq) return;
    hardware = answer;
    drawHardware();
    recompute();
  }

  function recompute() {
    const g = gpuEntry();
    const gpus = Number(numGpus.value) || 0;
    const min = intOf(minInstances);
    const max = intOf(maxInstances);
    if (!g || !gpus) {
      replace(estimate, h('p', {class: 'muted'}, 'Choose a GPU type to see the cost.'));
      return;
    }
    const perGpu = micros(g.usd_per_gpu_hour);
    const perInstance = perGpu * gpus;
    const line = (id, label, text) => h('div', {class: 'estimate-line', id},
      h('span', {class: 'estimate-label'}, label), h('span', {class: 'estimate-value'}, text));
    replace(estimate,
      line('estimate-instance', 'One instance',
        `${exactUsd(perInstance)}/h (${plural(gpus, 'GPU', 'GPUs')} × ${exactUsd(perGpu)} per GPU-hour)`),
      min === null || min < 0
        ? line('estimate-min', 'At min instances', '—')
        : line('estimate-min', `At min instances (${min})`,
          min === 0 ? '$0.00/h while scaled to zero' : `${exactUsd(min * perInstance)}/h`),
      max === null || max < 1
        ? line('estimate-max', 'At max instances', '—')
        : line('estimate-max', `At max instances (${max})`, `${exactUsd(max * perInstance)}/h`),
      h('p', {class: 'estimate-note', id: 'estimate-start'},
        `Each instance that starts is billed at least one hour: ${exactUsd(perInstance)} per instance start. `
        + 'Beyond its first hour an instance is billed by the second.'),
      min !== null && max !== null && min > max
        ? notice('warning', 'Min instances is above max instances.')
        : null);
  }

  modelSelect.addEventListener('change', () => {
    const m = selectedModel();
    if (!nameEdited) modelName.value = m.name;
    family.value = m.family;
    loadHardware().catch((err) => {
      if (ctx.current()) replace(hardwareInfo, notice('error', errorText(err)));
    });
  });
  gpu.addEventListener('change', () => { fillCounts(); recompute(); });

  const settingsInt = (input) => {
    const v = input.value.trim();
    return v === '' ? undefined : Number(v);
  };

  const deployForm = form(async () => {
    const settings = {
      min_instances: settingsInt(minInstances),
      max_instances: settingsInt(maxInstances),
      scale_to_zero_after_s: settingsInt(scaleToZero),
      activation_timeout_s: settingsInt(activation),
      max_queued_requests: settingsInt(maxQueued),
      target_utilization: utilization.value.trim() === '' ? undefined : utilization.value.trim(),
      stable_window_s: settingsInt(stableWindow),
      billing_aware_scale_down: billingAware.checked,
      max_surge: settingsInt(maxSurge),
    };
    const body = {
      model_name: modelName.value.trim(),
      model: modelSelect.value,
      family: family.value,
      gpu: gpu.value,
      num_gpus: Number(numGpus.value),
      max_batch_size: settingsInt(maxBatch),
      settings,
    };
    let deployment;
    try {
      deployment = await post('/api/v1/deployments', body);
    } catch (err) {
      // A refused field gets the focus (settings.max_instances → the max_instances input).
      const name = err && err.param ? String(err.param).replace(/^settings\./, '') : null;
      const input = name ? deployForm.querySelector(`[name="${CSS.escape(name)}"]`) : null;
      if (input && !input.closest('details[open]') && input.closest('details')) input.closest('details').open = true;
      if (input) input.focus();
      throw err;
    }
    if (ctx.current()) ctx.navigate(`deployments/${seg(deployment.id)}`);
  },
  card('Model',
    field('Model', modelSelect, 'Models of the library that are ready or unverified.'),
    h('div', {class: 'field-row'},
      field('Model name', modelName, 'The name clients call (the "model" of an OpenAI request).'),
      field('Family', family))),
  card('Hardware',
    h('div', {class: 'field-row'},
      field('GPU type', gpu, 'Only the types the model fits on are offered.'),
      field('GPUs per instance', numGpus)),
    hardwareInfo),
  card('Scaling',
    h('div', {class: 'field-row'},
      field('Min instances', minInstances, '0 scales to zero when idle.'),
      field('Max instances', maxInstances),
      field('Scale to zero after (s)', scaleToZero, '30 to 86400 seconds without requests.'),
      field('Max batch size', maxBatch, 'Requests an instance serves at once (1 to 1024).')),
    h('details', {class: 'advanced'},
      h('summary', {}, 'Advanced settings'),
      h('div', {class: 'field-row'},
        field('Activation timeout (s)', activation, 'How long a request waits for a cold start (10 to 3600).'),
        field('Max queued requests', maxQueued, 'Requests held while instances start (1 to 100000).'),
        field('Target utilization', utilization, 'Share of capacity the autoscaler aims for (0.1 to 1).'),
        field('Stable window (s)', stableWindow, 'Demand is averaged over it (6 to 3600).'),
        field('Max surge', maxSurge, 'Extra instances during a rollout (0 to 8).')),
      h('div', {class: 'check'},
        billingAware,
        h('label', {for: 'deploy-billing-aware'},
          'Billing-aware scale-down: keep an instance until its paid first hour ends')))),
  h('div', {class: 'actions'},
    button('Deploy', null, {kind: 'primary', type: 'submit', attrs: {id: 'deploy-submit'}})));
  deployForm.id = 'deploy-form';
  deployForm.addEventListener('input', recompute);
  deployForm.addEventListener('change', recompute);

  append(ctx.view, [
    notDeployable,
    h('div', {class: 'deploy-layout'},
      deployForm,
      h('aside', {class: 'deploy-aside'}, card('Cost estimate', estimate))),
  ]);
  recompute();
  await loadHardware();
}
