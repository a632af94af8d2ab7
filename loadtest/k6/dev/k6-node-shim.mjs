// NOT k6. A stand-in that runs the k6 scripts of loadtest/k6 on Node (>= 18) where k6 cannot
// be installed (this project's build machines), to check the scripts' logic against a live
// Zeroscale: it implements only what the scripts use (k6's check/fail/sleep, http.get/post
// through curl, Trend/Rate/Counter/Gauge, thresholds of the forms they use) and runs each
// scenario with a few VUs (worker threads) and a few iterations, not k6's executors.
//
//   node loadtest/k6/dev/k6-node-shim.mjs loadtest/k6/chat.js [vus] [iterations]
//
// Env as for k6 (BASE_URL, API_KEY, MODEL, ...). Exit code 0 when every check and threshold
// passed, 99 when a threshold failed (k6's code), 1 on a script error.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve, basename } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/** Copies the script's folder with k6 imports rewritten to globals. */
function transform(script) {
  const dir = dirname(resolve(script));
  const out = mkdtempSync(join(tmpdir(), 'k6shim-'));
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    let src = readFileSync(join(dir, f), 'utf8');
    src = src.replace(/import\s+http\s+from\s+'k6\/http';/g, 'const http = globalThis.__k6.http;');
    src = src.replace(/import\s+\{([^}]*)\}\s+from\s+'k6\/metrics';/g, 'const {$1} = globalThis.__k6.metrics;');
    src = src.replace(/import\s+\{([^}]*)\}\s+from\s+'k6';/g, 'const {$1} = globalThis.__k6.core;');
    writeFileSync(join(out, f.replace(/\.js$/, '.mjs')), src.replace(/from '\.\/([^']+)\.js'/g, "from './$1.mjs'"));
  }
  return join(out, basename(script).replace(/\.js$/, '.mjs'));
}

function canonical(name) {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()).join('-');
}

function seconds(t) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(t));
  if (!m) return 60;
  const v = parseFloat(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : v;
}

function runVu() {
  const samples = [];
  // Every sample carries its scenario's name, as in k6.
  const emit = (metric, value, tags) =>
    samples.push({ metric, value, tags: Object.assign({ scenario: workerData.scenario }, tags || {}) });
  function request(method, url, body, params) {
    params = params || {};
    const args = ['-sS', '-X', method, url, '-D', '-', '--max-time', String(seconds(params.timeout || '60s')),
      '-w', '\n%{http_code} %{time_pretransfer} %{time_starttransfer} %{time_total}'];
    for (const [k, v] of Object.entries(params.headers || {})) args.push('-H', k + ': ' + v);
    if (body !== undefined && body !== null) args.push('--data-binary', '@-');
    let raw;
    try {
      raw = execFileSync('curl', args, { input: body || '', maxBuffer: 64 << 20 }).toString('utf8');
    } catch (e) {
      raw = (e.stdout || '').toString('utf8');
    }
    const nl = raw.lastIndexOf('\n');
    const [code, pre, start, total] = raw.slice(nl + 1).split(' ').map(Number);
    const text = raw.slice(0, nl);
    const split = text.indexOf('\r\n\r\n');
    const headers = {};
    for (const line of text.slice(0, split).split('\r\n').slice(1)) {
      const c = line.indexOf(':');
      if (c > 0) headers[canonical(line.slice(0, c).trim())] = line.slice(c + 1).trim();
    }
    const res = { status: code || 0, body: split < 0 ? '' : text.slice(split + 4), headers,
      timings: { waiting: (start - pre) * 1000, duration: (total - pre) * 1000 } };
    const tags = params.tags || {};
    emit('http_req_duration', res.timings.duration, tags);
    emit('http_req_failed', res.status === 0 || res.status >= 400 ? 1 : 0, tags);
    return res;
  }
  class Metric {
    constructor(name) { this.name = name; }
    add(v, tags) { emit(this.name, typeof v === 'boolean' ? (v ? 1 : 0) : v, tags); }
  }
  globalThis.__ENV = process.env;
  globalThis.__VU = workerData.vu;
  globalThis.__ITER = 0;
  globalThis.__k6 = {
    http: { get: (u, p) => request('GET', u, null, p), post: (u, b, p) => request('POST', u, b, p) },
    metrics: { Trend: Metric, Rate: Metric, Counter: Metric, Gauge: Metric },
    core: {
      check(v, sets, tags) {
        let all = true;
        for (const [name, fn] of Object.entries(sets)) {
          let ok = false;
          try { ok = !!fn(v); } catch (e) { ok = false; }
          all = all && ok;
          emit('checks', ok ? 1 : 0, Object.assign({ check: name }, tags || {}));
        }
        return all;
      },
      fail(msg) { throw new Error(msg); },
      sleep(s) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(s, 0.2) * 1000); },
      group(_, fn) { return fn(); },
    },
  };
  return import(pathToFileURL(workerData.module).href).then((mod) => {
    const fn = mod[workerData.exec || 'default'];
    let result;
    if (typeof fn === 'function') {
      for (let i = 0; i < workerData.iterations; i++) {
        globalThis.__ITER = i;
        result = fn(workerData.setupData);
      }
    }
    parentPort.postMessage({ samples, result: result === undefined ? null : result });
  });
}

function pct(vals, p) {
  const s = vals.slice().sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

function evaluate(expr, vals) {
  const m = /^(rate|count|avg|min|max|med|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|<|>)\s*(-?[\d.]+)$/.exec(expr.trim());
  if (!m) return { ok: false, value: 'unsupported: ' + expr };
  const sum = vals.reduce((a, b) => a + b, 0);
  const v = m[1] === 'rate' || m[1] === 'avg' ? sum / vals.length
    : m[1] === 'count' ? sum : m[1] === 'min' ? Math.min(...vals) : m[1] === 'max' ? Math.max(...vals)
      : m[1] === 'med' ? pct(vals, 50) : m[1] === 'value' ? vals[vals.length - 1] : pct(vals, parseFloat(m[2]));
  const t = parseFloat(m[4]);
  const ok = { '<': v < t, '<=': v <= t, '>': v > t, '>=': v >= t, '==': v === t }[m[3]];
  return { ok: vals.length > 0 && ok, value: v };
}

async function main() {
  const [script, vusArg, itersArg] = process.argv.slice(2);
  const module = transform(script);
  globalThis.__ENV = process.env;
  globalThis.__VU = 0;
  const { options } = await loadInMain(module);
  const scenarios = Object.entries(options.scenarios || { default: {} });
  // setup() runs once, in VU 0, like k6's; its result goes to every iteration.
  const setupRun = await runWorker(module, 0, 1, 'setup', null, 'setup');
  const setupData = setupRun.result;
  let samples = setupRun.samples;
  for (const [name, sc] of scenarios) {
    const vus = Math.min(parseInt(vusArg || '4', 10), sc.vus || sc.startVUs || (sc.stages ? 4 : 1) || 1) || 1;
    const iterations = parseInt(itersArg || '3', 10);
    console.log(`scenario ${name}: ${vus} VUs x ${iterations} iterations (shim, not ${sc.executor || 'default'})`);
    const runs = [];
    for (let v = 1; v <= vus; v++) runs.push(runWorker(module, v, iterations, sc.exec || 'default', setupData, name));
    for (const r of await Promise.all(runs)) samples = samples.concat(r.samples);
  }
  let failed = false;
  const checks = {};
  for (const s of samples.filter((x) => x.metric === 'checks')) {
    const c = checks[s.tags.check] || (checks[s.tags.check] = [0, 0]);
    c[s.value ? 0 : 1]++;
  }
  for (const [name, [ok, ko]] of Object.entries(checks)) console.log(`  ${ko ? '✗' : '✓'} ${name}  ${ok} passed, ${ko} failed`);
  for (const [key, exprs] of Object.entries(options.thresholds || {})) {
    const m = /^([^{]+)(?:\{([^:]+):([^}]+)\})?$/.exec(key);
    const vals = samples.filter((s) => s.metric === m[1] && (!m[2] || s.tags[m[2]] === m[3])).map((s) => s.value);
    for (const e of exprs) {
      const r = evaluate(e, vals);
      failed = failed || !r.ok;
      console.log(`  threshold ${key} ${e}: ${r.ok ? 'ok' : 'FAILED'} (${typeof r.value === 'number' ? r.value.toFixed(3) : r.value}, ${vals.length} samples)`);
    }
  }
  const trends = [...new Set(samples.map((s) => s.metric))].filter((n) => !['checks', 'http_req_failed'].includes(n));
  for (const t of trends) {
    const vals = samples.filter((s) => s.metric === t).map((s) => s.value);
    console.log(`  ${t}: n=${vals.length} p50=${pct(vals, 50).toFixed(1)} p95=${pct(vals, 95).toFixed(1)} max=${Math.max(...vals).toFixed(1)}`);
  }
  process.exit(failed ? 99 : 0);
}

async function loadInMain(module) {
  globalThis.__k6 = { http: {}, metrics: { Trend: class {}, Rate: class {}, Counter: class {}, Gauge: class {} }, core: {} };
  return import(pathToFileURL(module).href + '?options');
}

function runWorker(module, vu, iterations, exec, setupData, scenario) {
  return new Promise((res, rej) => {
    const w = new Worker(self, { workerData: { module, vu, iterations, exec, setupData, scenario } });
    w.on('message', res);
    w.on('error', rej);
  });
}

if (isMainThread) {
  main().catch((e) => { console.error(e); process.exit(1); });
} else {
  runVu().catch((e) => { console.error(e); process.exit(1); });
}
