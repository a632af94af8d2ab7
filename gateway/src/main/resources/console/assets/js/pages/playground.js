// TODO(#21): the playground page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Playground');
  append(ctx.view, pageHeader('Playground'));
}
