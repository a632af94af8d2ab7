// The platform's tenants (admin scope): the list, creating one, and one tenant's settings (GPU
// quota, spend limit, rate limits), keys and deletion at admin/tenants?tenant=<name>.
import {
  h, append, replace, pageHeader, card, badge, table, button, field, notice, errorText, form,
  confirmDialog, secretBox, time, num, usd, facts,
} from '../dom.js';
import {get, post, patch, del, seg} from '../api.js';
import {
  TENANT_SCOPES, keyStatus, limitsText, scopeList, scopeChecks, keyBody, keyOptions,
} from './keys.js';
import {intInput, decimalInput, refuse} from '../dom.js';

const BASE = '/console/admin/tenants';

function rateText(t) {
  const parts = [];
  if (t.requests_per_minute !== null && t.requests_per_minute !== undefined) parts.push(`${num(t.requests_per_minute)}/min`);
  if (t.max_concurrent_requests !== null && t.max_concurrent_requests !== undefined) parts.push(`${num(t.max_concurrent_requests)} at once`);
  return parts.length ? parts.join(' · ') : h('span', {class: 'muted'}, 'default');
}

/**
 * A number input's value: `empty` when the field is empty, else the whole number; an entry that
 * does not parse (validity.badInput, "1.5") is refused, never taken for an empty field.
 */
function optionalInt(formEl, name, label, empty) {
  const n = intInput(formEl.elements.namedItem(name), label);
  return n === undefined ? empty : n;
}

/** A money field (text, strict decimal: "12,5" is refused): `empty` when empty, else the exact decimal string. */
function optionalDecimal(formEl, name, label, empty) {
  const value = decimalInput(formEl.elements.namedItem(name), label);
  return value === undefined ? empty : value;
}

export async function render(ctx) {
  ctx.title('Tenants');
  if (!ctx.session.can('admin')) {
    append(ctx.view, [pageHeader('Tenants'), notice('info', 'The tenants are managed with a platform key holding the admin scope.')]);
    return;
  }
  const selected = ctx.query.get('tenant');
  if (selected) {
    await renderTenant(ctx, selected);
    return;
  }

  const listArea = h('div', {id: 'tenants-list', 'aria-live': 'polite'});
  const created = h('div', {id: 'tenant-created', 'aria-live': 'polite'});

  async function load() {
    let tenants;
    try {
      tenants = (await get('/admin/v1/tenants')).data;
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(listArea, notice('error', errorText(err)));
      return;
    }
    if (!ctx.current()) return;
    const withDeployments = tenants.some((t) => t.deployments !== undefined);
    replace(listArea, table({
      columns: [
        {label: 'Name', cell: (t) => h('a', {href: `${BASE}?tenant=${encodeURIComponent(t.name)}`}, t.name)},
        {label: 'Id', cell: (t) => h('code', {class: 'muted'}, t.id)},
        {label: 'GPU quota', class: 'num', cell: (t) => num(t.gpu_quota)},
        {label: 'Spend limit / month', class: 'num', cell: (t) => (t.spend_limit_usd === null || t.spend_limit_usd === undefined ? h('span', {class: 'muted'}, 'none') : usd(t.spend_limit_usd))},
        {label: 'Rate limits', cell: rateText},
        withDeployments ? {label: 'Deployments', class: 'num', cell: (t) => num(t.deployments)} : null,
        {label: 'Created', cell: (t) => time(t.created_at)},
      ].filter(Boolean),
      rows: tenants,
      empty: 'No tenants yet: create the first one below.',
      rowAttrs: (t) => ({'data-id': t.id, 'data-name': t.name}),
    }));
  }

  const createForm = form(async (data, el) => {
    const body = {name: String(data.get('name') || '').trim()};
    if (!body.name) refuse(el.elements.namedItem('name'), 'Give the tenant a name.');
    const quota = optionalInt(el, 'gpu_quota', 'GPU quota');
    if (quota !== undefined) body.gpu_quota = quota;
    const spend = optionalDecimal(el, 'spend_limit_usd', 'Spend limit per month');
    if (spend !== undefined) body.spend_limit_usd = spend;
    const rpm = optionalInt(el, 'requests_per_minute', 'Requests per minute');
    if (rpm !== undefined) body.requests_per_minute = rpm;
    const conc = optionalInt(el, 'max_concurrent_requests', 'Concurrent requests');
    if (conc !== undefined) body.max_concurrent_requests = conc;
    const tenant = await post('/admin/v1/tenants', body);
    if (!ctx.current()) return;
    el.reset();
    replace(created, notice('success', `Tenant "${tenant.name}" created. `,
      h('a', {href: `${BASE}?tenant=${encodeURIComponent(tenant.name)}`}, 'Give it a key')));
    await load();
  },
  h('div', {class: 'field-row'},
    field('Name', h('input', {type: 'text', name: 'name', required: true, maxlength: '63', pattern: '[a-z0-9-]+', id: 'tenant-name', autocomplete: 'off'}),
      'Lower-case letters, digits and "-"; it appears in model names and invoice numbers.'),
    field('GPU quota', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'gpu_quota', min: '0', max: '10000', step: '1', value: '4', id: 'tenant-gpu-quota'}),
      'GPUs its deployments may hold at once.'),
    field('Spend limit per month (USD)', h('input', {type: 'text', name: 'spend_limit_usd', inputmode: 'decimal', id: 'tenant-spend-limit', placeholder: 'none', autocomplete: 'off'}),
      'Empty: no limit. A dot before the cents, e.g. 25.50.')),
  h('details', {class: 'advanced'},
    h('summary', {}, 'Rate limits (optional)'),
    h('div', {class: 'field-row'},
      field('Requests per minute', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'requests_per_minute', min: '1', max: '1000000', step: '1', id: 'tenant-rpm'}),
        'For its keys that set none. Empty: the configured default.'),
      field('Concurrent requests', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'max_concurrent_requests', min: '1', max: '1000000', step: '1', id: 'tenant-concurrency'}),
        'For its keys that set none. Empty: the configured default.'))),
  h('button', {type: 'submit', class: 'btn btn-primary', id: 'tenant-create'}, 'Create tenant'));
  createForm.id = 'tenant-create-form';
  createForm.querySelector('#tenant-gpu-quota').defaultValue = '4'; // what reset() goes back to

  append(ctx.view, [
    pageHeader('Tenants'),
    created,
    card('Tenants', listArea),
    card('Create a tenant', createForm)]);
  await load();
  ctx.every(30000, load);
}

/** One tenant: its settings, its keys, and deleting it. */
async function renderTenant(ctx, name) {
  const tenant = await get(`/admin/v1/tenants/${seg(name)}`); // 404: the not-found page
  if (!ctx.current()) return;
  ctx.title(`Tenant ${tenant.name}`);
  const path = `/admin/v1/tenants/${seg(tenant.id)}`;

  const summary = h('div', {id: 'tenant-summary', 'aria-live': 'polite'});
  const keysArea = h('div', {id: 'tenant-keys', 'aria-live': 'polite'});
  // Live announcements off (the view itself is a live region): a screen reader would read the new
  // secret aloud. Its heading gets the focus instead.
  const secretArea = h('div', {id: 'tenant-key-secret', 'aria-live': 'off'});
  const statusArea = h('div', {id: 'tenant-key-status', 'aria-live': 'polite'});
  const dangerStatus = h('div', {id: 'tenant-delete-status', 'aria-live': 'polite'});

  function showSummary(t) {
    replace(summary, facts([
      ['Id', h('code', {}, t.id)],
      ['GPU quota', num(t.gpu_quota)],
      ['Spend limit / month', t.spend_limit_usd === null || t.spend_limit_usd === undefined ? 'none' : usd(t.spend_limit_usd)],
      ['Rate limits', rateText(t)],
      ['Created', time(t.created_at)],
      ['Updated', time(t.updated_at)],
    ]));
  }

  async function loadKeys() {
    let keys;
    try {
      keys = (await get(`${path}/keys`)).data;
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(keysArea, notice('error', errorText(err)));
      return;
    }
    if (!ctx.current()) return;
    replace(keysArea, table({
      columns: [
        {label: 'Name', cell: (k) => k.name},
        {label: 'Prefix', cell: (k) => h('code', {class: 'key-prefix'}, `${k.prefix}…`)},
        {label: 'Scopes', cell: (k) => scopeList(k.scopes)},
        {label: 'Created', cell: (k) => time(k.created_at)},
        {label: 'Expires', cell: (k) => (k.expires_at ? time(k.expires_at) : 'never')},
        {label: 'Limits', cell: (k) => limitsText(k)},
        {label: 'Status', cell: (k) => badge(keyStatus(k))},
        {label: 'Actions', cell: (k) => (keyStatus(k) === 'revoked' ? '—'
          : button('Revoke', () => revokeKey(k), {kind: 'danger', attrs: {class: 'btn btn-danger btn-small key-revoke', 'aria-label': `Revoke ${k.name}`}}))},
      ],
      rows: keys,
      empty: 'This tenant has no keys yet.',
      rowAttrs: (k) => ({'data-id': k.id, 'data-name': k.name, 'data-status': keyStatus(k)}),
    }));
  }

  async function revokeKey(k) {
    const ok = await confirmDialog(`Revoke "${k.name}"?`,
      `Anything using ${k.prefix}… gets 401 within a second. A revoked key cannot come back.`, 'Revoke key');
    if (!ok || !ctx.current()) return;
    try {
      await del(`${path}/keys/${seg(k.id)}`);
      if (!ctx.current()) return;
      replace(secretArea);
      replace(statusArea, notice('success', `Revoked "${k.name}".`));
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(statusArea, notice('error', errorText(err)));
    }
    await loadKeys();
  }

  const editForm = form(async (data, el) => {
    const body = {
      gpu_quota: optionalInt(el, 'gpu_quota', 'GPU quota'),
      spend_limit_usd: optionalDecimal(el, 'spend_limit_usd', 'Spend limit per month', null),
      requests_per_minute: optionalInt(el, 'requests_per_minute', 'Requests per minute', null),
      max_concurrent_requests: optionalInt(el, 'max_concurrent_requests', 'Concurrent requests', null),
    };
    if (body.gpu_quota === undefined) delete body.gpu_quota;
    const updated = await patch(path, body);
    if (!ctx.current()) return;
    showSummary(updated);
    append(el.querySelector('.form-status'), notice('success', 'Saved.'));
  },
  h('div', {class: 'field-row'},
    field('GPU quota', h('input', {type: 'text', name: 'gpu_quota', min: '0', max: '10000', step: '1', value: String(tenant.gpu_quota), id: 'edit-gpu-quota'})),
    field('Spend limit per month (USD)', h('input', {type: 'text', name: 'spend_limit_usd', inputmode: 'decimal', value: tenant.spend_limit_usd === null || tenant.spend_limit_usd === undefined ? '' : String(tenant.spend_limit_usd), id: 'edit-spend-limit', placeholder: 'none'}),
      'Empty: no limit.'),
    field('Requests per minute', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'requests_per_minute', min: '1', max: '1000000', step: '1', value: tenant.requests_per_minute === null || tenant.requests_per_minute === undefined ? '' : String(tenant.requests_per_minute), id: 'edit-rpm'}),
      'Empty: the configured default.'),
    field('Concurrent requests', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'max_concurrent_requests', min: '1', max: '1000000', step: '1', value: tenant.max_concurrent_requests === null || tenant.max_concurrent_requests === undefined ? '' : String(tenant.max_concurrent_requests), id: 'edit-concurrency'}),
      'Empty: the configured default.')),
  h('button', {type: 'submit', class: 'btn btn-primary', id: 'tenant-save'}, 'Save changes'));
  editForm.id = 'tenant-edit-form';

  const keyForm = form(async (data, el) => {
    const createdKey = await post(`${path}/keys`, keyBody(data, el));
    if (!ctx.current()) return;
    el.reset();
    const box = secretBox(createdKey.secret);
    box.removeAttribute('role'); // a status role would announce the secret
    replace(statusArea);
    replace(secretArea, card(`Key "${createdKey.name}" of ${tenant.name}`,
      box,
      h('p', {class: 'muted'}, 'Hand it to the tenant now: leave or reload this page and it is gone (only its SHA-256 is kept).'),
      button('Done', () => replace(secretArea), {attrs: {id: 'tenant-key-secret-done'}})));
    const heading = secretArea.querySelector('h2');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    await loadKeys();
  },
  field('Name', h('input', {type: 'text', name: 'name', maxlength: '100', required: true, id: 'tkey-name', autocomplete: 'off'})),
  scopeChecks(TENANT_SCOPES),
  keyOptions({expires: 'tkey-expires', rpm: 'tkey-rpm', concurrency: 'tkey-concurrency'}),
  h('button', {type: 'submit', class: 'btn btn-primary', id: 'tkey-create'}, 'Create key'));
  keyForm.id = 'tenant-key-form';

  async function deleteTenant() {
    const ok = await confirmDialog(`Delete tenant "${tenant.name}"?`,
      'Its keys are revoked at once on every gateway and its name can be reused; its invoices stay. A tenant with deployments cannot be deleted.',
      'Delete tenant');
    if (!ok || !ctx.current()) return;
    try {
      await del(path);
    } catch (err) {
      if (ctx.current() && err.status !== 401) {
        replace(dangerStatus, notice('error', err.status === 409
          ? `${errorText(err)} Delete its deployments first.` : errorText(err)));
      }
      return;
    }
    if (ctx.current()) ctx.navigate('admin/tenants');
  }

  showSummary(tenant);
  append(ctx.view, [
    pageHeader(`Tenant ${tenant.name}`, h('a', {href: BASE, class: 'btn btn-secondary'}, 'All tenants')),
    h('div', {class: 'grid'},
      card('Summary', summary),
      card('Quota and limits', editForm)),
    statusArea,
    secretArea,
    card('Keys', keysArea),
    card('Create a key', keyForm),
    card('Delete', h('p', {class: 'muted'}, 'Deleting a tenant revokes its keys. Its invoices are kept.'),
      button('Delete tenant', deleteTenant, {kind: 'danger', attrs: {id: 'tenant-delete'}}),
      dangerStatus)]);
  await loadKeys();
}
