// TODO(#21): the deploy page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Deploy a model');
  append(ctx.view, pageHeader('Deploy a model'));
}
