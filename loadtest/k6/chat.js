// Non-streaming chat completions against a warm deployment.
//   k6 run -e BASE_URL=http://localhost:8080 -e API_KEY=$KEY -e MODEL=my-llama loadtest/k6/chat.js
// Optional: VUS (20), DURATION (1m), MAX_TOKENS (16), P95_MS (2000).
import http from 'k6/http';
import { BASE_URL, requireEnv, params, chatBody, checkChat } from './lib.js';

export const options = {
  scenarios: {
    chat: {
      executor: 'constant-vus',
      vus: parseInt(__ENV.VUS || '20', 10),
      duration: __ENV.DURATION || '1m',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:chat}': ['p(95)<' + (__ENV.P95_MS || '2000')],
  },
};

export function setup() {
  requireEnv();
}

export default function () {
  const res = http.post(BASE_URL + '/v1/chat/completions', chatBody(false), params({ kind: 'chat' }));
  checkChat(res);
}
