// TODO(#21): the deployments page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Deployments');
  append(ctx.view, pageHeader('Deployments'));
}
