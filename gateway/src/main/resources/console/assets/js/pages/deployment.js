// TODO(#21): the deployment page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Deployment');
  append(ctx.view, pageHeader('Deployment'));
}
