// One model of the library: its details (refreshed while the import runs), deploying it, renaming
// it and deleting it. Another tenant's model, like an unknown one, is the 404 page.
import {
  h, append, replace, update, pageHeader, card, badge, button, field, notice, errorText, form,
  confirmDialog, facts, bytes, num, time,
} from '../dom.js';
import {get, patch, del, seg} from '../api.js';

const USABLE = new Set(['ready', 'unverified']);

function details(m) {
  const s3 = m.source && m.source.startsWith('s3://');
  return facts([
    ['Status', h('span', {id: 'model-status'}, badge(m.status))],
    m.error ? ['Error', h('span', {id: 'model-error', class: `model-error${m.status === 'unverified' ? ' is-unverified' : ''}`}, m.error)] : null,
    ['Source', h('code', {id: 'model-source'}, m.source || '—')],
    s3 ? null : ['Repository', m.repo || '—'],
    s3 ? null : ['Revision', h('span', {id: 'model-revision'}, m.revision || '—')],
    s3 ? null : ['Commit', h('code', {id: 'model-sha'}, m.sha || '—')],
    s3 ? ['Endpoint', m.endpoint || 'AWS S3'] : null,
    s3 ? ['S3 credentials', m.has_s3_credentials ? 'stored (encrypted)' : 'none (anonymous)'] : null,
    s3 ? null : ['Hugging Face token', m.has_hf_token ? 'stored (encrypted)' : 'none'],
    ['Architecture', h('span', {id: 'model-architecture'}, m.architecture || '—')],
    ['Model type', m.model_type || '—'],
    ['Size', h('span', {id: 'model-size'}, bytes(m.weight_bytes))],
    ['Parameters', m.parameter_count ? num(m.parameter_count) : '—'],
    ['Family', h('span', {id: 'model-family'}, m.family)],
    ['Id', h('code', {}, m.id)],
    ['Created', time(m.created_at)],
    ['Updated', time(m.updated_at)],
  ]);
}

export async function render(ctx) {
  if (!ctx.session.can('deployments:read')) {
    ctx.title('Model');
    append(ctx.view, [pageHeader('Model'), notice('info',
      'This key cannot read deployments (it lacks deployments:read), so it cannot see this model: sign in with a key that has deployments:read.')]);
    return;
  }
  let model = await get(`/api/v1/models/${seg(ctx.params.id)}`);
  if (!ctx.current()) return;
  const canWrite = ctx.session.can('deployments:write');

  const header = h('div', {});
  const message = h('div', {id: 'model-message', 'aria-live': 'polite'});
  const body = h('div', {id: 'model-details', 'aria-live': 'polite'});

  function drawHeader() {
    ctx.title(model.name);
    const actions = [];
    if (canWrite && USABLE.has(model.status)) {
      actions.push(button('Deploy this model', () => ctx.navigate(`deploy?model=${encodeURIComponent(model.id)}`),
        {kind: 'primary', attrs: {id: 'deploy-model'}}));
    }
    if (canWrite) {
      actions.push(button('Delete', remove, {kind: 'danger', attrs: {id: 'delete-model'}}));
    }
    update(header, pageHeader(model.name, actions));
  }

  function draw() {
    drawHeader();
    update(body, details(model));
  }

  async function remove() {
    const yes = await confirmDialog(
      `Delete ${model.name}?`,
      `The model ${model.name} leaves the library. A model that a deployment runs cannot be deleted.`,
      'Delete model');
    if (!yes || !ctx.current()) return;
    try {
      await del(`/api/v1/models/${seg(model.id)}`);
      if (ctx.current()) ctx.navigate('models');
    } catch (err) {
      if (ctx.current()) replace(message, notice('error', errorText(err)));
    }
  }

  const rename = canWrite
    ? card('Rename',
      form(async (fd) => {
        const name = String(fd.get('name') || '').trim();
        model = await patch(`/api/v1/models/${seg(model.id)}`, {name});
        if (!ctx.current()) return;
        history.replaceState(null, '', `/console/models/${seg(model.id)}`);
        draw();
        replace(message, notice('success', `Renamed to ${model.name}.`));
      },
      h('div', {class: 'field-row'},
        field('New name', h('input', {name: 'name', id: 'rename-name', type: 'text', required: true,
          autocomplete: 'off', spellcheck: 'false', value: model.name}),
        'Letters, digits, ".", "_" and "-". Deployments keep running the model under its new name.')),
      h('div', {class: 'actions'},
        button('Rename', null, {kind: 'secondary', type: 'submit', attrs: {id: 'rename-submit'}}))))
    : null;

  append(ctx.view, [header, message, card('Details', body), rename]);
  draw();

  ctx.every(2000, async () => {
    if (model.status !== 'importing') return;
    try {
      const fresh = await get(`/api/v1/models/${seg(model.id)}`);
      if (!ctx.current()) return;
      model = fresh;
      draw();
    } catch (err) {
      if (ctx.current()) replace(message, notice('error', errorText(err)));
    }
  });
}
