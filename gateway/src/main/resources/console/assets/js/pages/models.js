// The tenant's model library: every imported model with its status (refreshed live while an import
// runs), the form that imports one from the Hugging Face hub or an S3 store, and deletion.
import {
  h, append, replace, update, pageHeader, card, badge, table, button, field, select, notice, errorText,
  form, confirmDialog, bytes, time,
} from '../dom.js';
import {get, post, del, seg} from '../api.js';

export const FAMILIES = ['llm', 'embedding', 'rerank', 'image', 'audio'];

const HF_URL = /^https?:\/\/(www\.)?(huggingface\.co|hf\.co)\//i;
const REPO_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]*\/[A-Za-z0-9_][A-Za-z0-9._-]*(@\S+)?$/;

/**
 * What the user typed as a hub source, as the API takes it: a huggingface.co URL or an hf:// source
 * as typed, a bare repo id `org/repo[@revision]` as `hf://org/repo[@revision]`.
 */
export function hubSource(text) {
  let value = text.trim();
  if (/^(www\.)?(huggingface\.co|hf\.co)\//i.test(value)) value = `https://${value}`;
  if (HF_URL.test(value) || value.startsWith('hf://')) return value;
  if (REPO_ID.test(value)) return `hf://${value}`;
  return value;
}

/** The status cell: the badge, and the error of a failed or unverified model under it. */
export function statusCell(model) {
  return [
    badge(model.status),
    model.error ? h('p', {class: `model-error${model.status === 'unverified' ? ' is-unverified' : ''}`}, model.error) : null,
  ];
}

/** A model's source for people: the hub repo and revision, or the S3 location. */
export function sourceText(model) {
  return model.source || '—';
}

function value(fd, name) {
  const v = fd.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

/** The request body of the add-model form. */
function importBody(fd) {
  const kind = value(fd, 'kind');
  const body = {};
  const name = value(fd, 'name');
  if (name) body.name = name;
  body.family = value(fd, 'family') || 'llm';
  if (kind === 's3') {
    body.source = value(fd, 's3_source');
    const endpoint = value(fd, 'endpoint');
    if (endpoint) body.endpoint = endpoint;
    const creds = {};
    for (const f of ['access_key_id', 'secret_access_key', 'session_token', 'region']) {
      const v = value(fd, f);
      if (v) creds[f] = v;
    }
    if (Object.keys(creds).length) body.s3_credentials = creds;
  } else {
    body.source = hubSource(value(fd, 'hf_source'));
    const token = value(fd, 'hf_token');
    if (token) body.hf_token = token;
  }
  return body;
}

/** The add form's input that a refusal (its `param`) names, or null. */
function refusedField(formEl, err, kind) {
  const param = err && err.param ? String(err.param) : '';
  const name = param === 'source' ? (kind === 's3' ? 's3_source' : 'hf_source')
    : param.startsWith('s3_credentials.') ? param.slice('s3_credentials.'.length)
      : param;
  if (!name) return null;
  const input = formEl.elements.namedItem(name);
  return input && input.focus ? input : null;
}

export async function render(ctx) {
  ctx.title('Models');
  if (!ctx.session.can('deployments:read')) {
    append(ctx.view, [pageHeader('Models'), notice('info',
      'This key cannot read deployments (it lacks deployments:read), so it cannot see the model library: sign in with a key that has deployments:read.')]);
    return;
  }
  const canWrite = ctx.session.can('deployments:write');
  let models = (await get('/api/v1/models')).data;
  if (!ctx.current()) return;

  const message = h('div', {id: 'models-message', 'aria-live': 'polite'});
  const list = h('div', {id: 'models-list'});
  const formSlot = h('div', {id: 'add-model-slot'});
  let importNotice = null;

  const addButton = canWrite
    ? button('Add model', () => {
      if (formSlot.firstChild) {
        replace(formSlot);
        addButton.setAttribute('aria-expanded', 'false');
        return;
      }
      replace(formSlot, addForm());
      addButton.setAttribute('aria-expanded', 'true');
      formSlot.querySelector('input').focus();
    }, {kind: 'primary', attrs: {id: 'add-model', 'aria-expanded': 'false', 'aria-controls': 'add-model-slot'}})
    : null;

  function draw() {
    const columns = [
      {label: 'Name', cell: (m) => h('a', {href: `/console/models/${seg(m.id)}`, class: 'model-link'}, m.name)},
      {label: 'Source', cell: (m) => h('code', {class: 'model-source'}, sourceText(m))},
      {label: 'Family', cell: (m) => m.family},
      {label: 'Status', cell: (m) => statusCell(m), class: 'model-status'},
      {label: 'Architecture', cell: (m) => m.architecture || '—', class: 'model-architecture'},
      {label: 'Size', cell: (m) => bytes(m.weight_bytes), class: 'num nowrap'},
      {label: 'Created', cell: (m) => time(m.created_at)},
    ];
    if (canWrite) {
      columns.push({
        label: 'Actions',
        cell: (m) => button('Delete', () => remove(m), {
          kind: 'danger',
          attrs: {class: 'btn btn-danger btn-small delete-model', 'aria-label': `Delete ${m.name}`},
        }),
      });
    }
    update(list, table({
      columns,
      rows: models,
      empty: canWrite
        ? 'The library is empty: add a model from the Hugging Face hub or an S3 store.'
        : 'The library is empty.',
      rowAttrs: (m) => ({'data-id': m.id, 'data-name': m.name, 'data-status': m.status}),
    }));
  }

  async function refresh() {
    try {
      const fresh = await get('/api/v1/models');
      if (!ctx.current()) return;
      models = fresh.data;
      draw();
      // The "importing" notice goes once every import has ended (the table shows the outcome).
      if (importNotice && !models.some((m) => m.status === 'importing')) {
        if (importNotice.parentNode === message) replace(message);
        importNotice = null;
      }
    } catch (err) {
      if (!ctx.current()) return;
      replace(message, notice('error', errorText(err)));
    }
  }

  async function remove(m) {
    const yes = await confirmDialog(
      `Delete ${m.name}?`,
      `The model ${m.name} leaves the library. A model that a deployment runs cannot be deleted.`,
      'Delete model');
    if (!yes || !ctx.current()) return;
    try {
      await del(`/api/v1/models/${seg(m.id)}`);
      if (!ctx.current()) return;
      replace(message, notice('success', `Deleted ${m.name}.`));
      models = models.filter((x) => x.id !== m.id);
      draw();
    } catch (err) {
      if (!ctx.current()) return;
      replace(message, notice('error', errorText(err)));
    }
  }

  function addForm() {
    const kind = select('kind', [
      {value: 'hf', label: 'Hugging Face hub'},
      {value: 's3', label: 'S3 or S3-compatible store'},
    ], 'hf', {id: 'model-kind'});
    const hfPart = h('div', {class: 'source-hf'},
      field('Hugging Face model',
        h('input', {name: 'hf_source', id: 'model-source', type: 'text', autocomplete: 'off', spellcheck: 'false',
          placeholder: 'https://huggingface.co/org/repo or org/repo@revision'}),
        'A URL such as https://huggingface.co/meta-llama/Llama-2-7b-hf, or a repo id org/repo (optionally @revision).'),
      field('Hugging Face token (optional)',
        h('input', {name: 'hf_token', id: 'model-hf-token', type: 'password', autocomplete: 'off', placeholder: 'hf_…'}),
        'For gated or private repos. It is stored encrypted, given only to this model\'s instances and never shown again.'));
    const s3Part = h('div', {class: 'source-s3', hidden: true},
      field('S3 location',
        h('input', {name: 's3_source', id: 'model-s3-source', type: 'text', autocomplete: 'off', spellcheck: 'false',
          placeholder: 's3://bucket/prefix'}),
        'The prefix that holds the model\'s config.json and *.safetensors files.'),
      h('div', {class: 'field-row'},
        field('Endpoint (optional)',
          h('input', {name: 'endpoint', id: 'model-s3-endpoint', type: 'url', autocomplete: 'off',
            placeholder: 'https://minio.example.com'}),
          'An S3-compatible store\'s URL; leave empty for AWS.'),
        field('Region (optional)',
          h('input', {name: 'region', id: 'model-s3-region', type: 'text', autocomplete: 'off', placeholder: 'us-east-1'}))),
      h('div', {class: 'field-row'},
        field('Access key id (optional)',
          h('input', {name: 'access_key_id', id: 'model-s3-access-key-id', type: 'password', autocomplete: 'off'})),
        field('Secret access key (optional)',
          h('input', {name: 'secret_access_key', id: 'model-s3-secret', type: 'password', autocomplete: 'off'})),
        field('Session token (optional)',
          h('input', {name: 'session_token', id: 'model-s3-session-token', type: 'password', autocomplete: 'off'}))),
      h('p', {class: 'muted'}, 'Credentials are stored encrypted and never shown again; without them requests are anonymous.'));
    kind.addEventListener('change', () => {
      const s3 = kind.value === 's3';
      hfPart.hidden = s3;
      s3Part.hidden = !s3;
    });

    const el = form(async (fd, f) => {
      const body = importBody(fd);
      for (const input of f.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      let model;
      try {
        model = await post('/api/v1/models', body);
      } catch (err) {
        const target = refusedField(f, err, kind.value);
        if (target) {
          target.setAttribute('aria-invalid', 'true');
          target.focus();
        }
        throw err;
      }
      // The secrets leave the page with the request: never kept in the form.
      for (const input of f.querySelectorAll('input[type=password]')) input.value = '';
      if (!ctx.current()) return;
      models = models.filter((x) => x.id !== model.id).concat([model]);
      draw();
      replace(formSlot);
      if (addButton) addButton.setAttribute('aria-expanded', 'false');
      importNotice = notice('info', `Importing ${model.name}: its status changes below once the lookup ends.`);
      replace(message, importNotice);
    },
    field('Source', kind),
    hfPart,
    s3Part,
    h('div', {class: 'field-row'},
      field('Name (optional)',
        h('input', {name: 'name', id: 'model-name', type: 'text', autocomplete: 'off', spellcheck: 'false',
          placeholder: 'defaults to the repo\'s name'}),
        'Letters, digits, ".", "_" and "-"; deployments refer to the model by it.'),
      field('Family', select('family', FAMILIES, 'llm', {id: 'model-family'}))),
    h('div', {class: 'actions'},
      button('Import model', null, {kind: 'primary', type: 'submit', attrs: {id: 'add-model-submit'}}),
      button('Cancel', () => {
        replace(formSlot);
        if (addButton) addButton.setAttribute('aria-expanded', 'false');
      })));
    el.id = 'add-model-form';
    return card('Add a model', el);
  }

  append(ctx.view, [
    pageHeader('Models', addButton),
    formSlot,
    message,
    card(null, list),
  ]);
  draw();

  ctx.every(2000, () => {
    if (models.some((m) => m.status === 'importing')) refresh();
  });
}
