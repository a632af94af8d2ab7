// The tenant's API keys (GET /api/v1/keys): who holds what, and, with keys:write, creating,
// rotating and revoking them. A new secret is shown once, in the page only: it is never stored,
// and leaving or reloading the page forgets it.
import {
  h, append, replace, pageHeader, card, badge, table, button, field, notice, errorText, form,
  confirmDialog, secretBox, time, num, duration, uid, FieldError, refuse, intInput,
} from '../dom.js';
import {get, post, del, seg, storeKey} from '../api.js';

/** Every tenant scope, in the order the console lists them. */
export const TENANT_SCOPES = [
  'inference:*', 'deployments:read', 'deployments:write', 'usage:read', 'billing:write',
  'keys:read', 'keys:write',
];

/** active, revoked or expired. */
export function keyStatus(key) {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return 'expired';
  return 'active';
}

/** "60/min · 4 at once", or "inherited". */
export function limitsText(key) {
  const parts = [];
  if (key.requests_per_minute !== null && key.requests_per_minute !== undefined) parts.push(`${num(key.requests_per_minute)}/min`);
  if (key.max_concurrent_requests !== null && key.max_concurrent_requests !== undefined) parts.push(`${num(key.max_concurrent_requests)} at once`);
  return parts.length ? parts.join(' · ') : h('span', {class: 'muted'}, 'inherited');
}

function scopeOrder(a, b) {
  const ia = TENANT_SCOPES.indexOf(a);
  const ib = TENANT_SCOPES.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b);
}

/** The scopes as small code tags. */
export function scopeList(scopes) {
  return h('span', {class: 'scope-list'}, [...scopes].sort(scopeOrder).map((s) => h('code', {class: 'scope'}, s)));
}

/** A fieldset of scope checkboxes (name="scope", value=the scope). */
export function scopeChecks(scopes, legend = 'Scopes') {
  return h('fieldset', {class: 'field scopes'},
    h('legend', {}, legend),
    h('div', {class: 'scope-grid'}, [...scopes].sort(scopeOrder).map((scope) => {
      const id = uid('scope');
      return h('div', {class: 'check'},
        h('input', {type: 'checkbox', name: 'scope', value: scope, id}),
        h('label', {for: id}, h('code', {}, scope)));
    })));
}

/**
 * The body of a key creation from its form (name, scope checkboxes, expires (a date),
 * requests_per_minute and max_concurrent_requests); empty optional fields are left out, an
 * unreadable number is refused.
 */
export function keyBody(data, formEl) {
  const body = {name: String(data.get('name') || '').trim(), scopes: data.getAll('scope')};
  if (!body.name) refuse(formEl.elements.namedItem('name'), 'Give the key a name.');
  if (body.scopes.length === 0) throw new FieldError({name: 'scopes'}, 'Choose at least one scope.');
  const expires = formEl.elements.namedItem('expires');
  if (expires.validity && expires.validity.badInput) refuse(expires, 'Expires on is not a date.');
  if (expires.value) body.expires_at = `${expires.value}T00:00:00Z`;
  const rpm = intInput(formEl.elements.namedItem('requests_per_minute'), 'Requests per minute');
  if (rpm !== undefined) body.requests_per_minute = rpm;
  const concurrency = intInput(formEl.elements.namedItem('max_concurrent_requests'), 'Concurrent requests');
  if (concurrency !== undefined) body.max_concurrent_requests = concurrency;
  return body;
}

/** The optional fields of a key creation: expiry date and rate limits. */
export function keyOptions(ids = {}) {
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  return h('details', {class: 'advanced'},
    h('summary', {}, 'Expiry and rate limits (optional)'),
    h('div', {class: 'field-row'},
      field('Expires on', h('input', {type: 'date', name: 'expires', min: tomorrow, id: ids.expires}),
        'At 00:00 UTC that day. Empty: never (or when the creating key does).'),
      field('Requests per minute', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'requests_per_minute', min: '1', max: '1000000', step: '1', id: ids.rpm}),
        'Empty: the creating key\'s own limit.'),
      field('Concurrent requests', h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'max_concurrent_requests', min: '1', max: '1000000', step: '1', id: ids.concurrency}),
        'Empty: the creating key\'s own limit.')));
}

/** Asks for the grace of a rotation in a modal; resolves the seconds, or null when cancelled. */
function rotateDialog(key, self) {
  return new Promise((resolve) => {
    const input = h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'grace_s', min: '0', max: '86400', step: '1', value: '0', id: 'rotate-grace'});
    const status = h('div', {class: 'form-status', 'aria-live': 'polite'});
    const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': 'rotate-title'});
    const close = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    const submit = (event) => {
      event.preventDefault();
      let grace;
      try {
        grace = intInput(input, 'The grace') ?? 0;
        if (grace < 0 || grace > 86400) refuse(input, 'The grace is a whole number of seconds, 0 to 86400 (24 h).');
      } catch (err) {
        replace(status, notice('error', errorText(err)));
        return;
      }
      close(grace);
    };
    append(dialog, h('form', {novalidate: true, onSubmit: submit},
      h('h2', {id: 'rotate-title'}, `Rotate "${key.name}"`),
      h('p', {}, 'The key gets a new secret, shown once. Its name, scopes, expiry and limits stay.'),
      self ? notice('warning', h('span', {class: 'rotate-self'},
        'This is the key the console is signed in with: the console switches to the new secret at once '
        + 'and shows it once. Anything else using this key needs the new secret too (give a grace for that).'))
        : null,
      field('Grace for the previous secret (seconds)', input,
        '0: the previous secret stops at once. Up to 86400 (24 h) gives its users time to switch.'),
      status,
      h('div', {class: 'actions'},
        button('Cancel', () => close(null), {attrs: {class: 'btn btn-secondary confirm-no'}}),
        h('button', {type: 'submit', class: 'btn btn-primary confirm-yes'}, 'Rotate'))));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export async function render(ctx) {
  ctx.title('API keys');
  const s = ctx.session;
  if (!s.can('keys:read')) {
    append(ctx.view, pageHeader('API keys'),
      notice('info', 'This key may not list the keys: that takes keys:read (or keys:write).'));
    return;
  }
  const write = s.can('keys:write') && !s.previousSecret;

  const [me, deployments] = await Promise.all([
    get('/api/v1/me'),
    write && s.scopes.has('inference:*') && s.can('deployments:read')
      ? get('/api/v1/deployments').then((r) => r.data).catch(() => [])
      : Promise.resolve([]),
  ]);
  if (!ctx.current()) return;

  // What a new key may get: the scopes this key holds, directly or through a broader one.
  const offered = new Set(s.scopes);
  if (s.scopes.has('deployments:write')) offered.add('deployments:read');
  if (s.scopes.has('keys:write')) offered.add('keys:read');
  for (const d of deployments) offered.add(`inference:${d.model_name}`);

  // Live announcements off (the view itself is a live region): a screen reader would read the
  // secret aloud. The heading of the box gets the focus instead.
  const secretArea = h('div', {id: 'key-secret', 'aria-live': 'off'});
  const listArea = h('div', {id: 'keys-list', 'aria-live': 'polite'});

  function showSecret(title, created) {
    const box = secretBox(created.secret);
    box.removeAttribute('role'); // a status role would announce the secret
    replace(secretArea, card(title,
      box,
      h('p', {class: 'muted'}, `Prefix ${created.prefix}. Use it as "Authorization: Bearer <key>". `
        + 'Leave or reload this page and it is gone: only its SHA-256 is kept.'),
      button('Done', () => replace(secretArea), {attrs: {id: 'key-secret-done'}})));
    const heading = secretArea.querySelector('h2');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    secretArea.scrollIntoView({block: 'nearest'});
  }

  async function revoke(key) {
    const self = key.id === me.key_id;
    const ok = await confirmDialog(`Revoke "${key.name}"?`,
      self
        ? 'This is the key the console is signed in with: revoking it signs you out. Anything using it gets 401 within a second.'
        : `Anything using ${key.prefix}… gets 401 within a second. A revoked key cannot come back.`,
      'Revoke key');
    if (!ok || !ctx.current()) return;
    try {
      await del(`/api/v1/keys/${seg(key.id)}`);
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(secretArea, notice('error', errorText(err)));
      return;
    }
    if (!ctx.current()) return;
    replace(secretArea, notice('success', `Revoked "${key.name}".`));
    await load(); // with its own key revoked, this call answers 401 and the app signs out
  }

  async function rotate(key) {
    const self = key.id === me.key_id;
    const grace = await rotateDialog(key, self);
    if (grace === null || !ctx.current()) return;
    try {
      const rotated = await post(`/api/v1/keys/${seg(key.id)}/rotate`, {grace_s: grace});
      // The signed-in key: sign in with its new secret before any other call (the previous one
      // may already be refused), so the page keeps working and the secret is not lost.
      if (self) storeKey(rotated.secret);
      if (!ctx.current()) return;
      showSecret(`New secret of "${key.name}"`, rotated);
      if (self) {
        append(secretArea.querySelector('.card'), notice('info',
          'This is the key the console is signed in with: it now uses the new secret.'));
      }
      if (rotated.previous_secret_expires_at) {
        append(secretArea.querySelector('.card'), notice('info',
          `The previous secret keeps working until ${time(rotated.previous_secret_expires_at)}.`));
      }
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(secretArea, notice('error', errorText(err)));
      return;
    }
    await load();
  }

  function graceCell(key) {
    if (!key.previous_secret_expires_at) return '—';
    const until = new Date(key.previous_secret_expires_at).getTime();
    if (until <= Date.now()) return h('span', {class: 'muted'}, `ended ${time(key.previous_secret_expires_at)}`);
    return h('span', {}, `until ${time(key.previous_secret_expires_at)} (${duration((until - Date.now()) / 1000)} left)`);
  }

  async function load() {
    let keys;
    try {
      keys = (await get('/api/v1/keys')).data;
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(listArea, notice('error', errorText(err)));
      return;
    }
    if (!ctx.current()) return;
    const columns = [
      {label: 'Name', cell: (k) => [h('span', {class: 'key-name'}, k.name), k.id === me.key_id ? [' ', h('span', {class: 'badge badge-this-key this-key'}, 'this key')] : null]},
      {label: 'Prefix', cell: (k) => h('code', {class: 'key-prefix'}, `${k.prefix}…`)},
      {label: 'Scopes', cell: (k) => scopeList(k.scopes)},
      {label: 'Created', cell: (k) => time(k.created_at)},
      {label: 'Expires', cell: (k) => (k.expires_at ? time(k.expires_at) : 'never')},
      {label: 'Limits', cell: (k) => limitsText(k)},
      {label: 'Status', cell: (k) => badge(keyStatus(k))},
      {label: 'Previous secret', cell: graceCell},
    ];
    if (write) {
      columns.push({label: 'Actions', cell: (k) => (keyStatus(k) === 'active'
        ? h('div', {class: 'actions'},
          button('Rotate', () => rotate(k), {attrs: {class: 'btn btn-secondary btn-small key-rotate', 'aria-label': `Rotate ${k.name}`}}),
          button('Revoke', () => revoke(k), {attrs: {class: 'btn btn-danger btn-small key-revoke', 'aria-label': `Revoke ${k.name}`}}))
        : '—')});
    }
    replace(listArea, table({
      columns,
      rows: keys,
      empty: 'This tenant has no keys.',
      rowAttrs: (k) => ({'data-id': k.id, 'data-name': k.name, 'data-status': keyStatus(k)}),
    }));
  }

  const header = pageHeader('API keys');
  append(ctx.view, header);
  if (s.previousSecret) {
    append(ctx.view, notice('warning',
      'You are signed in with a key\'s previous secret (still in its rotation grace): it can read keys but not create, rotate or revoke them. Sign in with the current secret.'));
  } else if (!write) {
    append(ctx.view, notice('info', 'This key may list the keys (keys:read) but not change them: that takes keys:write.'));
  }
  append(ctx.view, secretArea);
  append(ctx.view, card('Keys', listArea));

  if (write) {
    const createForm = form(async (data, el) => {
      const created = await post('/api/v1/keys', keyBody(data, el));
      if (!ctx.current()) return;
      el.reset();
      showSecret(`Key "${created.name}" created`, created);
      await load();
    },
    h('div', {class: 'field-row'},
      field('Name', h('input', {type: 'text', name: 'name', maxlength: '100', required: true, id: 'key-name', autocomplete: 'off'}),
        'What uses it, e.g. "ci" or "chat-app".')),
    scopeChecks(offered, 'Scopes (at most those of the key you are signed in with)'),
    keyOptions({expires: 'key-expires', rpm: 'key-rpm', concurrency: 'key-concurrency'}),
    h('button', {type: 'submit', class: 'btn btn-primary', id: 'key-create'}, 'Create key'));
    createForm.id = 'key-create-form';
    append(ctx.view, card('Create key', createForm));
  }

  await load();
  ctx.every(30000, load);
}
