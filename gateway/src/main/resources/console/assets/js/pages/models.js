// TODO(#21): the models page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Models');
  append(ctx.view, pageHeader('Models'));
}
