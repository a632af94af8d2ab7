// The console's front page: the first section the key may open, or why there is none.
import {h, append, pageHeader, card} from '../dom.js';

export async function render(ctx) {
  const s = ctx.session;
  let to = null;
  if (s.platform) {
    if (s.can('admin')) to = 'admin/tenants';
    else if (s.can('finance')) to = 'admin/invoices';
  } else if (s.can('deployments:read')) to = 'deployments';
  else if (s.canInfer()) to = 'playground';
  else if (s.can('usage:read') || s.can('billing:write')) to = 'usage';
  else if (s.can('keys:read')) to = 'keys';
  if (to) {
    ctx.navigate(to, {replace: true});
    return;
  }
  ctx.title('No section');
  append(ctx.view,
    pageHeader('Nothing to show for this key'),
    card(null,
      h('p', {id: 'no-section'}, 'This key opens no section of the console. Its scopes: ',
        h('code', {}, [...s.scopes].sort().join(', ') || 'none'), '.'),
      h('p', {class: 'muted'}, 'Sign in with a key that has deployments:read, an inference scope, '
        + 'usage:read or keys:read (tenant keys), or admin or finance (platform keys).')));
}
