// Streaming chat completions: checks SSE framing and the closing [DONE], records TTFT.
//   k6 run -e BASE_URL=http://localhost:8080 -e API_KEY=$KEY -e MODEL=my-llama loadtest/k6/chat-stream.js
// Optional: VUS (20), DURATION (1m), MAX_TOKENS (16), TTFT_P95_MS (1000), P95_MS (3000).
//
// TTFT: k6's HTTP client reads the whole body before returning, so the time to the first
// token is taken as the time to the first byte of the response (`timings.waiting`). That is
// exact here: Zeroscale and vLLM send the response headers together with the first event
// (the role chunk, emitted with the first token), and the gateway forwards each event as it
// arrives. loadtest/bench.sh measures TTFT and the gaps between events byte by byte.
import http from 'k6/http';
import { Trend, Counter } from 'k6/metrics';
import { BASE_URL, requireEnv, params, chatBody, checkChatStream } from './lib.js';

const ttft = new Trend('ttft', true);
const streamEvents = new Counter('stream_events');

export const options = {
  scenarios: {
    stream: {
      executor: 'constant-vus',
      vus: parseInt(__ENV.VUS || '20', 10),
      duration: __ENV.DURATION || '1m',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    ttft: ['p(95)<' + (__ENV.TTFT_P95_MS || '1000')],
    'http_req_duration{kind:stream}': ['p(95)<' + (__ENV.P95_MS || '3000')],
  },
};

export function setup() {
  requireEnv();
}

export default function () {
  const res = http.post(BASE_URL + '/v1/chat/completions', chatBody(true), params({ kind: 'stream' }));
  const sse = checkChatStream(res);
  if (res.status === 200) {
    ttft.add(res.timings.waiting);
    streamEvents.add(sse.events.length);
  }
}
