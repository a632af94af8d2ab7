// Sign in with an API key: checked with GET /api/v1/me before it is kept (sessionStorage).
import {h, field, form, notice, append} from '../dom.js';
import {storeKey, clearKey, Session} from '../api.js';
import {signedIn} from '../app.js';

export async function render(ctx) {
  ctx.title('Sign in');
  const message = sessionStorage.getItem('zeroscale.signin-message');
  sessionStorage.removeItem('zeroscale.signin-message');
  const input = h('input', {type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false', placeholder: 'zs-…', id: 'signin-key'});
  append(ctx.view, h('div', {class: 'signin'},
    h('h1', {tabindex: '-1'}, 'Sign in to Zeroscale'),
    h('p', {class: 'muted'}, 'Paste an API key. It stays in this browser tab only and is sent to this server alone.'),
    message ? notice('warning', message) : null,
    form(async (data) => {
      const key = String(data.get('key') || '').trim();
      if (!key) throw new Error('Enter an API key.');
      storeKey(key);
      try {
        await Session.load();
      } catch (err) {
        clearKey();
        throw err;
      }
      signedIn(ctx.query.get('next'));
    },
    field('API key', input),
    h('button', {type: 'submit', class: 'btn btn-primary', id: 'signin-submit'}, 'Sign in'))));
}
