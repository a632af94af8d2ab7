// Deploying a library model: the form of POST /api/v1/deployments, the GPU types and counts that
// fit the model (GET /api/v1/hardware?model=), and a live cost estimate beside it.
import {
  h, append, replace, pageHeader, card, button, field, select, notice, errorText, form, table, bytes,
} from '../dom.js';
import {get, post, seg} from '../api.js';
import {intInput, refuse} from '../dom.js';

const USABLE = new Set(['ready', 'unverified']);
const FAMILIES = ['llm', 'embedding', 'rerank', 'image', 'audio'];

// The engine options of docs/api.md "Engine options" (the allowlisted vLLM options).
const TOOL_CALL_PARSERS = ['deepseek_v3', 'glm45', 'granite', 'granite-20b-fc', 'hermes', 'hunyuan_a13b', 'internlm',
  'jamba', 'kimi_k2', 'llama3_json', 'llama4_json', 'llama4_pythonic', 'minimax', 'mistral', 'openai',
  'phi4_mini_json', 'pythonic', 'qwen3_coder', 'xlam'];
const REASONING_PARSERS = ['deepseek_r1', 'glm45', 'granite', 'hunyuan_a13b', 'mistral', 'openai_gptoss', 'qwen3', 'step3'];
const DTYPES = ['auto', 'bfloat16', 'float', 'float16', 'float32', 'half'];
const QUANTIZATIONS = ['awq', 'awq_marlin', 'bitsandbytes', 'compressed-tensors', 'experts_int8', 'fbgemm_fp8', 'fp8',
  'gguf', 'gptq', 'gptq_marlin', 'gptq_marlin_24', 'hqq', 'modelopt', 'mxfp4', 'torchao'];

/** A select whose first option, "engine default", leaves the option out. */
function engineSelect(name, id, values) {
  return select(name, [{value: '', label: 'engine default'}, ...values], '', {id});
}

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
    append(ctx.view, notice('info', ctx.session.can('deployments:read')
      ? 'This key may read deployments but not create them: deploying a model needs the deployments:write scope.'
      : 'This key may not deploy models: that needs the deployments:write scope.'));
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
    h('input', {name, id, type: 'text', inputmode: 'numeric', value: String(value), ...attrs});
  const minInstances = numberInput('min_instances', 'deploy-min', 0, {min: 0});
  const maxInstances = numberInput('max_instances', 'deploy-max', 1, {min: 1});
  const scaleToZero = numberInput('scale_to_zero_after_s', 'deploy-scale-to-zero', 300, {min: 30, max: 86400});
  const maxBatch = numberInput('max_batch_size', 'deploy-max-batch', 64, {min: 1, max: 1024});
  const activation = numberInput('activation_timeout_s', 'deploy-activation-timeout', 900, {min: 10, max: 3600});
  const maxQueued = numberInput('max_queued_requests', 'deploy-max-queued', 1000, {min: 1, max: 100000});
  const utilization = h('input', {name: 'target_utilization', id: 'deploy-target-utilization', type: 'text',
    inputmode: 'decimal', step: '0.01', min: '0.1', max: '1', value: '0.7'});
  const stableWindow = numberInput('stable_window_s', 'deploy-stable-window', 60, {min: 6, max: 3600});
  const billingAware = h('input', {name: 'billing_aware_scale_down', id: 'deploy-billing-aware', type: 'checkbox',
    checked: true});
  const maxSurge = numberInput('max_surge', 'deploy-max-surge', 1, {min: 0, max: 8});

  // Engine options: each left empty ("engine default") is not sent.
  const maxModelLen = h('input', {name: 'max_model_len', id: 'deploy-engine-max-model-len', type: 'text',
    inputmode: 'numeric', min: '128', max: '1048576', step: '1', placeholder: 'engine default'});
  const gpuMemory = h('input', {name: 'gpu_memory_utilization', id: 'deploy-engine-gpu-memory', type: 'text',
    inputmode: 'decimal', min: '0.1', max: '1', step: '0.001', placeholder: 'engine default'});
  const prefixCaching = select('enable_prefix_caching', [{value: '', label: 'engine default'},
    {value: 'true', label: 'on'}, {value: 'false', label: 'off'}], '', {id: 'deploy-engine-prefix-caching'});
  const toolParser = engineSelect('tool_call_parser', 'deploy-engine-tool-parser', TOOL_CALL_PARSERS);
  const reasoningParser = engineSelect('reasoning_parser', 'deploy-engine-reasoning-parser', REASONING_PARSERS);
  const dtype = engineSelect('dtype', 'deploy-engine-dtype', DTYPES);
  const quantization = engineSelect('quantization', 'deploy-engine-quantization', QUANTIZATIONS);
  const draftModel = select('speculative_model', [{value: '', label: 'none'},
    ...usable.map((m) => ({value: m.id, label: m.name}))], '', {id: 'deploy-engine-draft'});
  const draftTokens = h('input', {name: 'num_speculative_tokens', id: 'deploy-engine-draft-tokens', type: 'text',
    inputmode: 'numeric', min: '1', max: '16', step: '1', placeholder: 'e.g. 5'});
  const submit = button('Deploy', null, {kind: 'primary', type: 'submit', attrs: {id: 'deploy-submit', disabled: true}});

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

  /**
   * Loads the GPU types of the chosen model. Until they are there, Deploy stays disabled (the
   * count would be empty); a failure shows in the hardware card with a retry, the form stays.
   */
  async function loadHardware() {
    const seq = ++hardwareSeq;
    hardware = null;
    submit.disabled = true;
    replace(hardwareInfo, h('p', {class: 'muted'}, 'Loading the GPU types…'));
    recompute();
    let answer;
    try {
      answer = await get(`/api/v1/hardware?model=${seg(modelSelect.value)}`);
    } catch (err) {
      if (!ctx.current() || seq !== hardwareSeq || err.status === 401) return;
      replace(hardwareInfo, notice('error', `The GPU types could not be loaded: ${errorText(err)}`),
        button('Retry', () => { loadHardware(); }, {attrs: {id: 'deploy-hardware-retry'}}));
      return;
    }
    if (!ctx.current() || seq !== hardwareSeq) return;
    hardware = answer;
    drawHardware();
    submit.disabled = !numGpus.value;
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
    loadHardware();
  });
  gpu.addEventListener('change', () => { fillCounts(); submit.disabled = !numGpus.value; recompute(); });

  /** A whole number of the form: undefined when empty (the API's default); an unreadable entry is refused. */
  const settingsInt = (input) => intInput(input, input.labels && input.labels[0] ? input.labels[0].textContent : input.name);

  /** A decimal of a number input: undefined when empty; an unreadable entry is refused. */
  const settingsDecimal = (input) => {
    const label = input.labels && input.labels[0] ? input.labels[0].textContent : input.name;
    if (input.validity.badInput) refuse(input, `${label} is not a number: correct it or empty the field.`);
    const v = input.value.trim();
    if (v === '') return undefined;
    if (!/^\d+(\.\d+)?$/.test(v)) refuse(input, `${label} must be a number like 0.7.`);
    return Number(v);
  };

  /** The engine object: only the options that are set, or undefined when none is. */
  function engineBody() {
    const engine = {};
    const len = settingsInt(maxModelLen);
    if (len !== undefined) engine.max_model_len = len;
    const memory = settingsDecimal(gpuMemory);
    if (memory !== undefined) engine.gpu_memory_utilization = memory;
    if (prefixCaching.value) engine.enable_prefix_caching = prefixCaching.value === 'true';
    for (const choice of [toolParser, reasoningParser, dtype, quantization]) {
      if (choice.value) engine[choice.name] = choice.value;
    }
    const tokens = settingsInt(draftTokens);
    if (draftModel.value) {
      if (tokens === undefined) refuse(draftTokens, 'Speculative tokens: give 1 to 16 tokens for the draft model.');
      engine.speculative = {model: draftModel.value, num_speculative_tokens: tokens};
    } else if (tokens !== undefined) {
      refuse(draftModel, 'Draft model: choose one for the speculative tokens, or empty the tokens.');
    }
    return Object.keys(engine).length ? engine : undefined;
  }

  const deployForm = form(async () => {
    if (!hardware || !numGpus.value) refuse(gpu, 'GPU type: wait for the GPU types to load, then choose one.');
    const settings = {
      min_instances: settingsInt(minInstances),
      max_instances: settingsInt(maxInstances),
      scale_to_zero_after_s: settingsInt(scaleToZero),
      activation_timeout_s: settingsInt(activation),
      max_queued_requests: settingsInt(maxQueued),
      target_utilization: settingsDecimal(utilization),
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
      engine: engineBody(),
    };
    let deployment;
    try {
      deployment = await post('/api/v1/deployments', body);
    } catch (err) {
      // A refused field gets the focus (settings.max_instances → the max_instances input).
      const name = err && err.param ? String(err.param).replace(/^(settings|engine)\./, '').replace(/^speculative\.model$/, 'speculative_model')
        .replace(/^speculative\./, '') : null;
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
          'Billing-aware scale-down: keep an instance until its paid first hour ends'))),
    h('details', {class: 'advanced', id: 'deploy-engine'},
      h('summary', {}, 'Engine options (vLLM)'),
      h('p', {class: 'muted'}, 'Left at "engine default" or empty, an option is not sent and vLLM\'s default applies.'),
      h('div', {class: 'field-row'},
        field('Max model length (tokens)', maxModelLen, 'Context length, 128 to 1048576.'),
        field('GPU memory utilization', gpuMemory, 'Share of GPU memory vLLM may use, 0.1 to 1.'),
        field('Prefix caching', prefixCaching)),
      h('div', {class: 'field-row'},
        field('Tool call parser', toolParser, 'Enables automatic tool choice with this parser.'),
        field('Reasoning parser', reasoningParser),
        field('Data type', dtype),
        field('Quantization', quantization)),
      h('div', {class: 'field-row'},
        field('Speculative decoding: draft model', draftModel, 'A ready or unverified model of your library.'),
        field('Speculative tokens', draftTokens, '1 to 16 tokens proposed by the draft model per step.')))),
  h('div', {class: 'actions'}, submit));
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
