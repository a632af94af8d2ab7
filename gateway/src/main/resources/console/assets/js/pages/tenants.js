// TODO(#21): the tenants page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Tenants');
  append(ctx.view, pageHeader('Tenants'));
}
