// The console's DOM toolkit. Every node is built here with createElement and text nodes: a string
// is always text, never markup, so anything a tenant typed (a model name, a key name, a log line)
// is shown escaped by construction. There is no innerHTML in the console, and no inline style
// (the Content-Security-Policy forbids both); styling is by class, from console.css.

let ids = 0;

/** Attributes that navigate or load: only http(s), blob (downloads) and mailto URLs. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'blob:', 'mailto:']);

/** Whether a URL is safe to link to: parsed as the browser would (tabs, controls, case). */
function safeUrl(value) {
  try {
    return SAFE_PROTOCOLS.has(new URL(String(value), location.href).protocol);
  } catch {
    return false;
  }
}

/** The listeners attached through listen() (h()'s on<Event> attributes included), per element. */
const listeners = new WeakMap();

/** The dialogs on screen, closed (as cancelled) when the user leaves the page. */
const openDialogs = new Set();

/** Cancels every open confirmDialog: called on navigation, so no action outlives its page. */
export function closeDialogs() {
  for (const close of [...openDialogs]) close(false);
}

/** A unique id for label/input pairs and aria references. */
export function uid(prefix = 'zs') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * h('button', {class: 'btn', onClick: fn, disabled: true}, 'Save') builds an element.
 * Attributes: on<Event> functions become listeners; true sets an empty attribute; false, null and
 * undefined are left out; `value` and `checked` are set as properties. Children: strings and
 * numbers become text nodes, nodes are appended, arrays are flattened, null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === 'style' || name === 'innerHTML' || name === 'outerHTML') {
      throw new Error(`h(): '${name}' is not allowed (CSP and escaping)`);
    }
    if (value === false || value === null || value === undefined) continue;
    if (name.toLowerCase().startsWith('on')) {
      // Handlers are functions only: a string would be code (and the CSP would refuse it).
      if (typeof value !== 'function') throw new Error(`h(): '${name}' must be a function`);
      listen(el, name.slice(2).toLowerCase(), value);
    } else if (URL_ATTRIBUTES.has(name.toLowerCase()) && !safeUrl(value)) {
      throw new Error(`h(): '${name}' must be an http(s), blob or mailto URL`);
    } else if (name === 'value' || name === 'checked') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children as h() does (any number of them, arrays flattened). */
export function append(parent, ...children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces an element's content. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/**
 * Adds an event listener and remembers it, so that update() can move it to the node it keeps.
 * Content that update() refreshes gets its listeners from here (or from h()), never directly.
 */
export function listen(el, type, fn) {
  el.addEventListener(type, fn);
  let all = listeners.get(el);
  if (!all) listeners.set(el, (all = []));
  all.push([type, fn]);
  return el;
}

/**
 * Like replace(), for content that a timer redraws: the nodes on screen are kept wherever the new
 * content has a node of the same kind and identity at the same place; only their text, attributes
 * and listeners change. A refresh then never swaps a link or button from under the pointer (a
 * click whose press and release land on two different nodes is lost), and focus stays where it
 * was. What it keeps:
 * - an element of the same tag whose identity (id, data-id, data-name, data-number, href) is the
 *   same: a row or an action that moved is replaced, so a click never lands on another target;
 * - never a form control (form, input, select, textarea, button of type submit): those are
 *   replaced, so what a user typed is never overwritten in place and no submit handler outlives
 *   its form (a refreshed region should hold no form anyway);
 * - listeners from h() or listen() only, and they must not hold on to the node they were built
 *   with (use event.currentTarget).
 */
export function update(parent, ...children) {
  reconcile(parent, append(document.createDocumentFragment(), children));
  return parent;
}

function reconcile(target, source) {
  const kept = [...target.childNodes];
  const fresh = [...source.childNodes];
  fresh.forEach((node, i) => {
    if (i >= kept.length) target.append(node);
    else if (!morph(kept[i], node)) kept[i].replaceWith(node);
  });
  for (const extra of kept.slice(fresh.length)) extra.remove();
}

const IDENTITY = ['id', 'data-id', 'data-name', 'data-number', 'href'];
const CONTROLS = new Set(['FORM', 'INPUT', 'SELECT', 'TEXTAREA', 'OPTION']);

/** Turns `old` into `node` in place; false when they are not the same kind of node. */
function morph(old, node) {
  if (old.nodeType !== node.nodeType) return false;
  if (node.nodeType === Node.TEXT_NODE) {
    if (old.nodeValue !== node.nodeValue) old.nodeValue = node.nodeValue;
    return true;
  }
  if (node.nodeType !== Node.ELEMENT_NODE || old.nodeName !== node.nodeName) return false;
  if (CONTROLS.has(node.nodeName) || (node.nodeName === 'BUTTON' && node.type === 'submit')) return false;
  if (IDENTITY.some((name) => old.getAttribute(name) !== node.getAttribute(name))) return false;
  for (const name of old.getAttributeNames()) {
    if (!node.hasAttribute(name)) old.removeAttribute(name);
  }
  for (const name of node.getAttributeNames()) {
    const value = node.getAttribute(name);
    if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  }
  for (const [type, fn] of listeners.get(old) || []) old.removeEventListener(type, fn);
  const moved = listeners.get(node) || [];
  for (const [type, fn] of moved) old.addEventListener(type, fn);
  listeners.set(old, moved);
  reconcile(old, node);
  return true;
}

// ---------- formatting ----------

/** US dollars from a number or a decimal string ("12.5", 12.5) → "$12.50"; small amounts keep 4 decimals. */
export function usd(value) {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2;
  return n.toLocaleString('en-US', {style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits});
}

/** A number with thousands separators; '—' for null. */
export function num(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return Number(value).toLocaleString('en-US', {maximumFractionDigits: digits});
}

/** An RFC 3339 time as local date and time ("6 Dec 2026, 14:03:07"); '—' for null. */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-GB', {day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

/** How long ago ("12 s ago", "3 min ago", "2 h ago", else the date). */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return time(iso);
}

/** Seconds as "45 s", "5 min", "1 h 30 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(Number(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round((s % 3600) / 60);
  return m ? `${Math.floor(s / 3600)} h ${m} min` : `${Math.floor(s / 3600)} h`;
}

/** Bytes as "13.5 GB" (decimal units, as GPU memory is quoted). */
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
  return `${v.toLocaleString('en-US', {maximumFractionDigits: i ? 1 : 0})} ${units[i]}`;
}

// ---------- components ----------

/** A page header: the h1 (focused after navigation) and its actions on the right. */
export function pageHeader(title, ...actions) {
  return h('header', {class: 'page-header'},
    h('h1', {tabindex: '-1'}, title),
    h('div', {class: 'actions'}, actions));
}

/** A card (a titled section). */
export function card(title, ...children) {
  const headingId = uid('card');
  return h('section', {class: 'card', 'aria-labelledby': title ? headingId : null},
    title ? h('h2', {id: headingId}, title) : null, children);
}

/** A status pill; the status is also its class (badge-running, badge-failed, …). */
export function badge(status, label) {
  const safe = String(status || 'unknown').toLowerCase().replace(/[^a-z0-9_-]/g, '');
  return h('span', {class: `badge badge-${safe}`}, label ?? String(status ?? 'unknown').replaceAll('_', ' '));
}

/**
 * A data table. columns: [{label, cell: row => node|string, class?}], rows: array.
 * `empty` is shown in place of the table when there are no rows. `rowAttrs(row)` adds attributes
 * to each <tr> (e.g. a data-id for tests).
 */
export function table({columns, rows, empty = 'Nothing here yet.', caption, rowAttrs}) {
  if (!rows || rows.length === 0) return h('p', {class: 'empty'}, empty);
  return h('div', {class: 'table-wrap'},
    h('table', {class: 'data'},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', rowAttrs ? rowAttrs(row) : {},
        columns.map((c) => h('td', {class: c.class}, c.cell(row))))))));
}

/** A button. kind: 'primary' | 'secondary' | 'danger' | 'link'. */
export function button(label, onClick, {kind = 'secondary', type = 'button', attrs = {}} = {}) {
  return h('button', {type, class: `btn btn-${kind}`, onClick, ...attrs}, label);
}

/** A labelled form field; `control` is an input/select/textarea built with h(). */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('field');
  const hintId = hint ? uid('hint') : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', {class: 'field'},
    h('label', {for: control.id}, label),
    control,
    hint ? h('p', {class: 'hint', id: hintId}, hint) : null);
}

/** A <select> from [{value, label}] (or plain strings). */
export function select(name, options, selected, attrs = {}) {
  return h('select', {name, ...attrs}, options.map((o) => {
    const value = typeof o === 'string' ? o : o.value;
    const label = typeof o === 'string' ? o : o.label;
    return h('option', {value, selected: String(value) === String(selected)}, label);
  }));
}

/** A message box; 'error' ones are announced (role=alert). kind: 'info' | 'success' | 'warning' | 'error'. */
export function notice(kind, ...message) {
  return h('div', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, message);
}

/** The text of an error for a user: an API error's message (and field), else a generic one. */
export function errorText(err) {
  if (err && err.status !== undefined) {
    return err.param ? `${err.message} (field: ${err.param})` : err.message;
  }
  return `Something went wrong: ${err && err.message ? err.message : err}`;
}

/**
 * A form whose submit runs onSubmit(formData, form) without navigating (CSP also forbids form
 * submission). The submit buttons are disabled while it runs; a thrown error is shown in the form.
 */
export function form(onSubmit, ...children) {
  const status = h('div', {class: 'form-status', 'aria-live': 'polite'});
  const el = h('form', {novalidate: true}, children, status);
  listen(el, 'submit', async (event) => {
    event.preventDefault();
    const submits = el.querySelectorAll('button[type=submit]');
    submits.forEach((b) => { b.disabled = true; });
    replace(status);
    try {
      await onSubmit(new FormData(el), el);
    } catch (err) {
      replace(status, notice('error', errorText(err)));
    } finally {
      submits.forEach((b) => { b.disabled = false; });
    }
  });
  return el;
}

/**
 * Asks for confirmation in a modal <dialog>; resolves true when confirmed. The confirm button
 * has class "confirm-yes" (tests click it).
 */
export function confirmDialog(title, message, confirmLabel = 'Confirm', kind = 'danger') {
  return new Promise((resolve) => {
    const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': 'dialog-title'});
    const close = (answer) => {
      openDialogs.delete(close);
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    openDialogs.add(close);
    append(dialog, [
      h('h2', {id: 'dialog-title'}, title),
      h('p', {}, message),
      h('div', {class: 'actions'},
        button('Cancel', () => close(false), {attrs: {class: 'btn btn-secondary confirm-no'}}),
        button(confirmLabel, () => close(true), {kind, attrs: {class: `btn btn-${kind} confirm-yes`}})),
    ]);
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A read-only code block with a Copy button. */
export function codeBlock(text, label = 'Copy') {
  const code = h('code', {}, text);
  const copy = button(label, async () => {
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      copy.textContent = 'Selected: press Ctrl+C';
    }
    setTimeout(() => { copy.textContent = label; }, 2000);
  }, {attrs: {class: 'btn btn-secondary btn-small copy'}});
  return h('div', {class: 'code-block'}, h('pre', {}, code), copy);
}

/** A one-time secret: shown in a warning box with a copy button. */
export function secretBox(secret, what = 'key') {
  // Not a live region (no role): a screen reader must not read the secret aloud on its own.
  return h('div', {class: 'notice notice-warning'},
    h('p', {}, h('strong', {}, `Copy this ${what} now: it is shown only once.`)),
    h('div', {class: 'secret'}, codeBlock(secret)));
}

/** A definition list from [[term, value], …]; values may be nodes. */
export function facts(pairs) {
  return h('dl', {class: 'facts'}, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// ---------- reading inputs: an entry that does not parse is refused, never read as empty ----------

/** A refused entry: shown like an API refusal, naming the field (errorText adds "(field: …)"). */
export class FieldError extends Error {
  constructor(input, message) {
    super(message);
    this.status = 0;
    this.param = input.name || input.id;
  }
}

/** Marks the input invalid, focuses it (opening its <details>) and throws a FieldError. */
export function refuse(input, message) {
  input.setAttribute('aria-invalid', 'true');
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'), {once: true});
  const details = input.closest('details');
  if (details && !details.open) details.open = true;
  input.focus();
  throw new FieldError(input, message);
}

/**
 * A whole number from an input: undefined when empty. An entry the browser cannot read as a
 * number (validity.badInput, where value is '') or that is not an integer is refused.
 */
export function intInput(input, label) {
  if (input.validity && input.validity.badInput) refuse(input, `${label} is not a whole number: correct it or empty the field.`);
  const value = input.value.trim();
  if (value === '') return undefined;
  if (!/^-?\d+$/.test(value)) refuse(input, `${label} must be a whole number.`);
  return Number(value);
}

/** A strict decimal: digits with an optional dot and decimals (no comma, no exponent). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * An amount of money from a text input (inputmode=decimal), as the exact decimal string the API
 * takes: undefined when empty; "12,5" or "1e3" are refused, never read as another amount.
 */
export function decimalInput(input, label, like = 'an amount like 25 or 25.50 (a dot before the cents, no comma)') {
  if (input.validity && input.validity.badInput) refuse(input, `${label} is not a number: correct it or empty the field.`);
  const value = input.value.trim();
  if (value === '') return undefined;
  if (!DECIMAL.test(value)) refuse(input, `${label} must be ${like}.`);
  return value;
}
