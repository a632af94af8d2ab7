// The playground: chat with one of the tenant's llm deployments, streamed token by token
// (POST /v1/chat/completions with stream: true, read with fetch and a ReadableStream), with the
// cold start made visible, and snippets to call the same deployment from code.
import {h, append, replace, update, pageHeader, card, badge, button, field, select, notice, errorText, codeBlock, num, uid} from '../dom.js';
import {api, get, seg, ApiError} from '../api.js';
import {intInput, decimalInput} from '../dom.js';

/** Milliseconds as "850 ms" or "3.2 s". */
function ms(value) {
  const n = Math.max(0, Math.round(Number(value)));
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** A string as one shell word in single quotes. */
function shellQuote(text) {
  return `'${String(text).replaceAll("'", "'\\''")}'`;
}

function snippets(model) {
  const base = `${location.origin}/v1`;
  const body = JSON.stringify({model, messages: [{role: 'user', content: 'Hello!'}]});
  const name = JSON.stringify(model);
  return {
    curl: [
      '# export ZEROSCALE_API_KEY=<your key>',
      `curl ${base}/chat/completions \\`,
      '  -H "Authorization: Bearer $ZEROSCALE_API_KEY" \\',
      '  -H "Content-Type: application/json" \\',
      `  -d ${shellQuote(body)}`,
    ].join('\n'),
    python: [
      '# pip install openai; export ZEROSCALE_API_KEY=<your key>',
      'import os',
      'from openai import OpenAI',
      '',
      `client = OpenAI(base_url=${JSON.stringify(base)}, api_key=os.environ["ZEROSCALE_API_KEY"])`,
      'stream = client.chat.completions.create(',
      `    model=${name},`,
      '    messages=[{"role": "user", "content": "Hello!"}],',
      '    stream=True,',
      ')',
      'for chunk in stream:',
      '    if chunk.choices and chunk.choices[0].delta.content:',
      '        print(chunk.choices[0].delta.content, end="", flush=True)',
    ].join('\n'),
    node: [
      '// npm install openai; export ZEROSCALE_API_KEY=<your key>',
      'import OpenAI from "openai";',
      '',
      `const client = new OpenAI({ baseURL: ${JSON.stringify(base)}, apiKey: process.env.ZEROSCALE_API_KEY });`,
      'const stream = await client.chat.completions.create({',
      `  model: ${name},`,
      '  messages: [{ role: "user", content: "Hello!" }],',
      '  stream: true,',
      '});',
      'for await (const chunk of stream) {',
      '  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");',
      '}',
    ].join('\n'),
  };
}

/** Tabs of code snippets (curl, Python, Node) for a model; answers {el, update(model)}. */
function snippetTabs() {
  const names = [['curl', 'curl'], ['python', 'Python (openai)'], ['node', 'Node.js (openai)']];
  const tabs = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Language'});
  const panels = h('div', {});
  const buttons = {};
  const panelOf = {};
  let shown = 'curl';
  const show = (key) => {
    shown = key;
    for (const [k] of names) {
      buttons[k].setAttribute('aria-selected', String(k === key));
      buttons[k].tabIndex = k === key ? 0 : -1;
      panelOf[k].hidden = k !== key;
    }
  };
  for (const [key, label] of names) {
    const panelId = uid('snippet');
    const tabId = uid('tab');
    buttons[key] = h('button', {type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'data-snippet-tab': key, onClick: () => show(key)}, label);
    panelOf[key] = h('div', {role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, 'data-snippet': key});
    append(tabs, buttons[key]);
    append(panels, panelOf[key]);
  }
  tabs.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const keys = names.map(([k]) => k);
    const next = keys[(keys.indexOf(shown) + (event.key === 'ArrowRight' ? 1 : keys.length - 1)) % keys.length];
    show(next);
    buttons[next].focus();
  });
  const el = h('div', {id: 'playground-snippets'}, tabs, panels);
  return {
    el,
    update(model) {
      const text = snippets(model || '<model_name>');
      for (const [key] of names) replace(panelOf[key], codeBlock(text[key]));
      show(shown);
    },
  };
}

/**
 * Reads a text/event-stream body: calls onData(payload) for each event's data, and
 * onComment(text) for each comment line (": …").
 */
async function readEvents(response, onData, onComment) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  const line = (text) => {
    if (text === '') {
      if (data.length) onData(data.join('\n'));
      data = [];
    } else if (text.startsWith(':')) {
      onComment(text.slice(1).trim());
    } else if (text.startsWith('data:')) {
      data.push(text.slice(5).replace(/^ /, ''));
    }
  };
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += value;
    let at;
    while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const sep = buffer.startsWith('\r\n', at) ? 2 : 1;
      line(buffer.slice(0, at));
      buffer = buffer.slice(at + sep);
    }
  }
  if (buffer) line(buffer);
  line('');
}

export async function render(ctx) {
  ctx.title('Playground');
  const s = ctx.session;
  append(ctx.view, pageHeader('Playground'));
  if (s.platform || !s.canInfer()) {
    append(ctx.view, notice('info', 'This key may not call any model: the playground needs an inference scope (inference:* or inference:<model_name>).'));
    return;
  }

  const wanted = ctx.query.get('deployment');
  const canRead = s.can('deployments:read');
  let deployments = [];
  let warning = null;
  let callable = [];
  if (canRead) {
    deployments = (await get('/api/v1/deployments')).data;
    if (!ctx.current()) return;
    callable = deployments.filter((d) => d.family === 'llm' && d.status !== 'deleting' && s.can(`inference:${d.model_name}`));
    if (wanted && !callable.some((d) => d.model_name === wanted)) {
      const d = await get(`/api/v1/deployments/${seg(wanted)}`); // another tenant's: 404 page
      if (!ctx.current()) return;
      warning = d.family !== 'llm'
        ? `${d.model_name} is an ${d.family} deployment: the playground chats with llm deployments.`
        : `This key may not call ${d.model_name} (it needs inference:* or inference:${d.model_name}).`;
    }
  } else {
    try {
      callable = (await get('/v1/models')).data.map((m) => ({model_name: m.id}));
    } catch {
      callable = []; // the list is only a convenience: the name can be typed
    }
    if (!ctx.current()) return;
  }

  if (warning) append(ctx.view, notice('warning', warning));
  if (canRead && callable.length === 0) {
    append(ctx.view, notice('info', 'There is no llm deployment this key may call yet. ',
      s.can('deployments:write') ? h('a', {href: '/console/deploy'}, 'Deploy a model') : null));
    return;
  }

  // ---------- the deployment ----------
  let model = canRead
    ? (callable.find((d) => d.model_name === wanted) || callable[0]).model_name
    : (wanted || '');
  let picker;
  if (canRead) {
    picker = select('deployment', callable.map((d) => d.model_name), model, {id: 'playground-deployment'});
  } else {
    const listId = uid('models');
    picker = h('input', {id: 'playground-model', name: 'model', type: 'text', value: model, list: listId, autocomplete: 'off', spellcheck: 'false', placeholder: 'model_name'});
    append(ctx.view, h('datalist', {id: listId}, callable.map((m) => h('option', {value: m.model_name}))));
  }
  const status = h('div', {id: 'playground-status', 'aria-live': 'polite'});
  let ready = null; // ready instances of the shown deployment (null: unknown)

  const showStatus = (d) => {
    ready = d.instances ? d.instances.ready : null;
    const cold = ready === 0
      ? h('p', {class: 'muted cold-note'}, d.status === 'scaled_to_zero'
        ? 'Scaled to zero: the first request starts an instance (cold start).'
        : 'No ready instance yet: a request waits for the one starting (cold start).')
      : null;
    const shown = [
      h('p', {}, badge(d.status), ' ',
        h('span', {class: 'muted'}, `${d.full_name || d.model_name} · ${d.num_gpus} × ${d.gpu} · ${num(d.instances ? d.instances.ready : 0)} ready`),
        ' ', h('a', {href: `/console/deployments/${seg(d.model_name)}`}, 'Details')),
      cold,
      d.reason ? notice('warning', d.reason) : null];
    // A live region: replaced only when what it says changes (not at every refresh).
    const text = shown.filter(Boolean).map((n) => n.textContent).join('\n');
    if (status.dataset.shown === text) return;
    status.dataset.shown = text;
    update(status, shown);
  };
  const refreshStatus = async () => {
    if (!canRead || !model) return;
    const asked = model;
    try {
      const d = await get(`/api/v1/deployments/${seg(asked)}`);
      if (ctx.current() && asked === model) showStatus(d);
    } catch (err) {
      if (ctx.current() && asked === model) {
        delete status.dataset.shown;
        replace(status, notice('error', errorText(err)));
      }
    }
  };

  const snippetsBox = snippetTabs();
  const setModel = (name) => {
    model = name.trim();
    const url = new URL(location.href);
    if (model) url.searchParams.set('deployment', model);
    else url.searchParams.delete('deployment');
    history.replaceState(null, '', url.pathname + url.search);
    snippetsBox.update(model);
  };
  if (canRead) {
    picker.addEventListener('change', () => {
      setModel(picker.value);
      delete status.dataset.shown;
      replace(status);
      refreshStatus();
    });
    const first = callable.find((d) => d.model_name === model);
    if (first) showStatus(first);
    ctx.every(3000, refreshStatus);
  } else {
    picker.addEventListener('input', () => setModel(picker.value));
  }
  snippetsBox.update(model);

  // ---------- the chat ----------
  // The conversation is not a live region (its waiting line ticks every second and the answer
  // grows token by token): a separate status region announces "Waiting for an instance" once and
  // "Answer received".
  // aria-live off: the view around it is a live region.
  const chat = h('div', {class: 'chat', id: 'playground-chat', role: 'region', 'aria-label': 'Conversation', 'aria-live': 'off'});
  const announcer = h('p', {id: 'playground-announce', role: 'status'});
  // Visually hidden, still read (CSSOM, allowed by the CSP; console.css has no such class).
  Object.assign(announcer.style, {position: 'absolute', width: '1px', height: '1px', margin: '-1px', padding: '0',
    overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap', border: '0'});
  const announce = (text) => { announcer.textContent = text; };
  const emptyChat = h('p', {class: 'empty'}, 'Send a message to start.');
  append(chat, emptyChat);
  const errors = h('div', {id: 'playground-error'});
  const input = h('textarea', {id: 'playground-input', name: 'message', rows: '3', placeholder: 'Ask something… (Ctrl+Enter sends)'});
  const system = h('textarea', {id: 'playground-system', name: 'system', rows: '2', placeholder: 'You are a helpful assistant.'});
  const maxTokens = h('input', {id: 'playground-max-tokens', name: 'max_tokens', type: 'text', inputmode: 'numeric', autocomplete: 'off', min: '1', step: '1', placeholder: 'the model\'s default'});
  const temperature = h('input', {id: 'playground-temperature', name: 'temperature', type: 'text', inputmode: 'decimal', autocomplete: 'off', min: '0', max: '2', step: '0.1', placeholder: 'the model\'s default'});
  const send = h('button', {type: 'submit', class: 'btn btn-primary', id: 'playground-send'}, 'Send');
  const stop = button('Stop', () => { if (controller) controller.abort(); }, {attrs: {id: 'playground-stop', disabled: true}});
  const clear = button('Clear', () => {
    if (controller) controller.abort();
    messages = [];
    replace(chat, emptyChat);
    replace(errors);
  }, {attrs: {id: 'playground-clear'}});

  let messages = [];
  let controller = null;
  ctx.onLeave(() => { if (controller) controller.abort(); });

  const chatForm = h('form', {novalidate: true, id: 'playground-form'},
    field('Message', input),
    h('details', {class: 'advanced'},
      h('summary', {}, 'Options'),
      field('System prompt', system),
      h('div', {class: 'field-row'},
        field('Max tokens', maxTokens),
        field('Temperature', temperature, '0 to 2'))),
    h('div', {class: 'actions'}, send, stop, clear));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      chatForm.requestSubmit();
    }
  });
  chatForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (controller) return;
    const text = input.value.trim();
    if (!text) {
      replace(errors, notice('error', 'Type a message first.'));
      return;
    }
    if (!model) {
      replace(errors, notice('error', 'Name the deployment to call first.'));
      return;
    }
    let options;
    try {
      options = {
        max_tokens: intInput(maxTokens, 'Max tokens'),
        temperature: decimalInput(temperature, 'Temperature', 'a number like 0.7 (a dot for decimals, no comma)'),
      };
    } catch (err) {
      replace(errors, notice('error', errorText(err))); // the field is marked and focused
      return;
    }
    converse(text, options);
  });

  async function converse(text, options) {
    replace(errors);
    emptyChat.remove();
    input.value = '';
    const conversation = messages; // Clear starts a new one
    conversation.push({role: 'user', content: text});
    const body = {model, messages: [], stream: true, stream_options: {include_usage: true}};
    if (system.value.trim()) body.messages.push({role: 'system', content: system.value.trim()});
    body.messages.push(...conversation);
    if (options.max_tokens !== undefined) body.max_tokens = options.max_tokens;
    if (options.temperature !== undefined) body.temperature = Number(options.temperature);

    const answerText = document.createTextNode('');
    const bubble = h('div', {class: 'msg msg-assistant', hidden: true}, answerText);
    // The waiting line: its phrase and a ticking count of seconds that no screen reader follows.
    const meta = h('p', {class: 'msg-meta waiting'});
    append(chat, [h('div', {class: 'msg msg-user'}, text), bubble, meta]);
    bubble.scrollIntoView({block: 'nearest'});

    controller = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    const started = performance.now();
    let firstToken = null;
    let headersAt = null;
    let coldStart = false;
    let waitMs = null;
    let queueMs = null;
    let usage = null;
    let announced = null;
    const tick = () => {
      if (firstToken !== null) return;
      const elapsed = Math.floor((performance.now() - started) / 1000);
      const instance = headersAt === null && !(ready > 0);
      const what = instance ? 'Waiting for an instance…' : 'Waiting for the first token…';
      meta.textContent = `${what} ${elapsed} s`;
      if (instance && announced === null) {
        announced = 'instance';
        announce('Waiting for an instance');
      }
    };
    tick();
    const ticker = ctx.every(250, tick);

    try {
      const response = await api('POST', '/v1/chat/completions', body, {raw: true, accept: 'text/event-stream', signal: controller.signal});
      headersAt = performance.now();
      coldStart = response.headers.get('x-zeroscale-cold-start') === 'true';
      const waitHeader = response.headers.get('x-zeroscale-cold-start-wait-ms');
      if (waitHeader !== null && waitHeader !== '') waitMs = Number(waitHeader);
      const queueHeader = response.headers.get('x-zeroscale-queue-wait-ms');
      if (queueHeader !== null && queueHeader !== '') queueMs = Number(queueHeader);
      tick();
      const contentType = response.headers.get('content-type') || '';
      if (!contentType.includes('text/event-stream')) {
        // An answer that is not a stream (an instance that ignored stream: true).
        const whole = await response.json();
        const content = whole.choices && whole.choices[0] && whole.choices[0].message ? whole.choices[0].message.content || '' : '';
        firstToken = performance.now();
        bubble.hidden = false;
        answerText.appendData(content);
        usage = whole.usage || null;
      } else {
        let streamError = null;
        await readEvents(response, (data) => {
          if (data === '[DONE]' || streamError) return;
          let event;
          try {
            event = JSON.parse(data);
          } catch {
            return; // not JSON: not an event of OpenAI's stream
          }
          if (event.error) {
            streamError = new ApiError(response.status, event.error);
            return;
          }
          if (event.usage) usage = event.usage;
          for (const choice of event.choices || []) {
            const delta = choice.delta && typeof choice.delta.content === 'string' ? choice.delta.content : '';
            if (choice.index !== undefined && choice.index !== 0) continue;
            if (!delta) continue;
            if (firstToken === null) {
              firstToken = performance.now();
              bubble.hidden = false;
            }
            answerText.appendData(delta);
          }
        }, (comment) => {
          const m = /^instance ready after (\d+) ms/.exec(comment);
          if (m) waitMs = Number(m[1]);
          if (/^waiting for instance/.test(comment)) coldStart = true;
        });
        if (streamError) throw streamError;
      }
      finish(null);
    } catch (err) {
      finish(err);
    }

    function finish(err) {
      clearInterval(ticker);
      controller = null;
      send.disabled = false;
      stop.disabled = true;
      if (!ctx.current()) return;
      const aborted = err && err.name === 'AbortError';
      if (answerText.data) conversation.push({role: 'assistant', content: answerText.data});
      else bubble.remove();
      if (err && !aborted) replace(errors, notice('error', errorText(err)));
      const parts = [];
      if (waitMs !== null) {
        parts.push(`Cold start wait ${ms(waitMs)}`);
        meta.dataset.coldStartWaitMs = String(waitMs);
      } else if (coldStart) {
        parts.push('Cold start');
      }
      if (queueMs !== null) parts.push(`queued ${ms(queueMs)}`);
      if (firstToken !== null) {
        parts.push(`first token after ${ms(firstToken - started)}`);
        meta.dataset.ttftMs = String(Math.round(firstToken - started));
      }
      if (usage) {
        parts.push(`${num(usage.completion_tokens)} tokens (${num(usage.prompt_tokens)} prompt)`);
        meta.dataset.completionTokens = String(usage.completion_tokens);
      }
      if (aborted) parts.push('stopped');
      else if (err) parts.push('failed');
      if (!err) announce('Answer received'); // a failure is announced by its alert
      else if (aborted) announce('Stopped');
      meta.classList.remove('waiting');
      meta.textContent = parts.length ? parts.join(' · ') : '';
      if (!meta.textContent) meta.remove();
      input.focus();
    }
  }

  append(ctx.view, [
    card(null,
      h('div', {class: 'field-row'},
        field(canRead ? 'Deployment' : 'Model name', picker,
          canRead ? null : 'The key cannot list deployments: type the model_name of a deployment it may call.')),
      status),
    card('Chat', chat, announcer, errors, chatForm),
    card('Call it from your code', h('p', {class: 'muted'},
      'The API is OpenAI-compatible: point an OpenAI client at this base URL and pass your key in the ',
      h('code', {}, 'ZEROSCALE_API_KEY'), ' environment variable.'), snippetsBox.el),
  ]);
}
