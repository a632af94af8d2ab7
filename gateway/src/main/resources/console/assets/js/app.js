// The console's shell: sign-in state, the navigation, and the router. Pages are modules under
// pages/ exporting render(ctx); routes.json (shared with the server, which answers 404 at any
// other address) maps each address to its page.
import {h, replace, notice, errorText, pageHeader, closeDialogs} from './dom.js';
import {Session, storedKey, clearKey} from './api.js';

const BASE = '/console/';
const view = document.getElementById('view');
// Busy until the first page is drawn (set here, not in the HTML: without this script it never ends).
view.setAttribute('aria-busy', 'true');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const sidebar = document.getElementById('sidebar');

let routes = [];
let session = null;
let leaving = []; // cleanups of the page on screen (timers, streams)
let renderSeq = 0;

/** The navigation: each entry shows only when the key holds what its page needs. */
const NAV = [
  {path: 'deployments', label: 'Deployments', show: (s) => !s.platform && s.can('deployments:read')},
  {path: 'models', label: 'Models', show: (s) => !s.platform && s.can('deployments:read')},
  {path: 'deploy', label: 'Deploy a model', show: (s) => !s.platform && s.can('deployments:write')},
  {path: 'playground', label: 'Playground', show: (s) => !s.platform && s.canInfer()},
  {path: 'usage', label: 'Usage & billing', show: (s) => !s.platform && (s.can('usage:read') || s.can('billing:write'))},
  {path: 'keys', label: 'API keys', show: (s) => !s.platform && s.can('keys:read')},
  {path: 'admin/tenants', label: 'Tenants', show: (s) => s.platform && s.can('admin')},
  {path: 'admin/invoices', label: 'Invoices', show: (s) => s.platform && s.can('finance')},
];

function match(below) {
  let segments;
  try {
    segments = below.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null; // a malformed escape: no such page
  }
  for (const route of routes) {
    const parts = route.path === '' ? [] : route.path.split('/');
    if (parts.length !== segments.length) continue;
    const params = {};
    let ok = true;
    parts.forEach((part, i) => {
      if (part.startsWith(':')) params[part.slice(1)] = segments[i];
      else if (part !== segments[i]) ok = false;
    });
    if (ok) return {route, params};
  }
  return null;
}

/** Goes to a console address ('deployments/abc' or '/console/deployments/abc?x=1'). */
export function navigate(to, {replace: replacing = false} = {}) {
  const url = to.startsWith('/') ? to : BASE + to;
  if (replacing) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function leave() {
  closeDialogs(); // a confirmation never outlives its page (it answers "cancel")
  for (const fn of leaving) {
    try { fn(); } catch { /* a cleanup never stops navigation */ }
  }
  leaving = [];
}

function renderNav(current) {
  if (!session) {
    sidebar.hidden = true;
    return;
  }
  sidebar.hidden = false;
  replace(nav, h('ul', {}, NAV.filter((item) => item.show(session)).map((item) =>
    h('li', {}, h('a', {
      href: BASE + item.path,
      'aria-current': current === item.path || current.startsWith(`${item.path}/`) ? 'page' : null,
    }, item.label)))));
  replace(who,
    h('p', {class: 'who-name'}, session.platform ? 'Platform key' : session.tenant),
    h('p', {class: 'who-scopes muted'}, [...session.scopes].sort().join(' · ')),
    h('button', {type: 'button', class: 'btn btn-link signout', onClick: signOut}, 'Sign out'));
}

function signOut() {
  clearKey();
  session = null;
  navigate('signin', {replace: true});
}

function notFound(message) {
  document.title = 'Not found · Zeroscale';
  replace(view,
    pageHeader('Page not found'),
    h('div', {class: 'card not-found'},
      h('p', {}, message || 'There is nothing at this address, or it belongs to someone else.'),
      h('p', {}, h('a', {href: BASE}, 'Back to the console'))));
  view.querySelector('h1').focus();
}

/**
 * Draws the page at the current address. #view is aria-busy while a page is being drawn (its data
 * loading): assistive technology waits for it, and so do the browser tests before reading a page.
 */
async function render() {
  view.setAttribute('aria-busy', 'true');
  const mine = renderSeq + 1; // the number draw() takes
  try {
    return await draw();
  } finally {
    // A newer render (a navigation meanwhile) owns the flag.
    if (renderSeq === mine) view.setAttribute('aria-busy', 'false');
  }
}

async function draw() {
  const seq = ++renderSeq;
  leave();
  const below = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  const found = match(below);
  const query = new URLSearchParams(location.search);

  if (!storedKey()) {
    session = null;
    if (!found || found.route.page !== 'signin') {
      const next = found ? location.pathname + location.search : '';
      history.replaceState(null, '', `${BASE}signin${next ? `?next=${encodeURIComponent(next)}` : ''}`);
      return render();
    }
  } else if (!session) {
    try {
      session = await Session.load();
    } catch (err) {
      if (seq !== renderSeq) return undefined;
      if (err.status === 401) {
        // The unauthorized handler signs out, except on the sign-in page: there, forget the key
        // it no longer accepts and draw the form.
        if (found && found.route.page === 'signin') {
          clearKey();
          session = null;
          return render();
        }
        return undefined;
      }
      renderNav('');
      replace(view, notice('error', errorText(err)));
      return undefined;
    }
    if (seq !== renderSeq) return undefined;
  }
  renderNav(found ? found.route.path.replace(/\/:.*$/, '') : '');
  if (!found) return notFound();

  const ctx = {
    view,
    params: found.params,
    query,
    session,
    navigate,
    notFound,
    /** Runs fn every ms while this page is on screen (and once at once when now is true). */
    every(ms, fn, now = false) {
      const timer = setInterval(() => { if (seq === renderSeq) fn(); }, ms);
      leaving.push(() => clearInterval(timer));
      if (now) fn();
      return timer;
    },
    /** Runs fn when the user leaves this page. */
    onLeave(fn) { leaving.push(fn); },
    /** Whether this page is still on screen (after an await). */
    current() { return seq === renderSeq; },
    title(text) { document.title = `${text} · Zeroscale`; },
  };
  try {
    const page = await import(`./pages/${found.route.page}.js`);
    if (seq !== renderSeq) return undefined;
    replace(view);
    await page.render(ctx);
    if (seq === renderSeq) {
      const heading = view.querySelector('h1');
      if (heading) heading.focus({preventScroll: true});
    }
  } catch (err) {
    if (seq !== renderSeq) return undefined;
    if (err && err.status === 404) return notFound();
    if (err && err.status === 401) return undefined;
    replace(view, pageHeader('Something went wrong'), notice('error', errorText(err)));
  }
  return undefined;
}

// Same-origin links below /console/ are handled here, without reloading the page.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', render);

// The key stopped working (revoked, expired): back to sign-in, saying why.
window.addEventListener('zeroscale:unauthorized', (event) => {
  if (location.pathname === `${BASE}signin`) return; // the sign-in form shows its own error
  clearKey();
  session = null;
  const why = event.detail && event.detail.message ? event.detail.message : 'The key is no longer valid.';
  sessionStorage.setItem('zeroscale.signin-message', why);
  navigate('signin', {replace: true});
});

/** Called by the sign-in page once the key is stored. */
export function signedIn(next) {
  session = null;
  navigate(next && next.startsWith(BASE) ? next : BASE, {replace: true});
}

async function start() {
  try {
    const response = await fetch(`${BASE}assets/routes.json`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    routes = await response.json();
  } catch (err) {
    replace(view, pageHeader('The console could not start'),
      notice('error', `Its page list did not load (${err.message}). Reload the page to try again.`));
    view.setAttribute('aria-busy', 'false');
    return;
  }
  await render();
}

start();
