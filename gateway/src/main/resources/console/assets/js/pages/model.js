// TODO(#21): the model page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Model');
  append(ctx.view, pageHeader('Model'));
}
