// cloudless's Lambda runtime for nodejs functions.
//
// Started by cloudless as the environment's process with the Lambda variables in its
// environment. It loads the handler named by _HANDLER ("file.export", the file found
// under LAMBDA_TASK_ROOT as .js, .mjs or .cjs), then loops over the Runtime API at
// AWS_LAMBDA_RUNTIME_API: GET the next invocation, call the handler (async handlers
// that return a promise, and callback handlers that take (event, context, callback)),
// and POST the result or the error ({errorType, errorMessage, trace} as AWS's node
// runtime reports it). A missing module or handler is posted to /runtime/init/error
// (Runtime.ImportModuleError, Runtime.HandlerNotFound) before exiting.
//
// Speed: the Runtime API is spoken over one keep-alive socket with a minimal HTTP/1.1
// client; a result's POST and the GET for the next invocation are written back to
// back (pipelined) and their answers read in turn, so an invocation costs one round
// trip.
'use strict';

const net = require('net');
const path = require('path');
const fs = require('fs');

const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const EMPTY = Buffer.alloc(0);

// The bytes of a request to /2018-06-01/runtime/<urlPath>; body (a string) makes it carry JSON.
function runtimeRequest(method, urlPath, body, headers) {
  let head = `${method} /2018-06-01/runtime/${urlPath} HTTP/1.1\r\nHost: runtime\r\n`;
  for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
  if (body === undefined) return Buffer.from(head + '\r\n', 'latin1');
  const payload = Buffer.from(body, 'utf8');
  head += `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

const NEXT_REQUEST = runtimeRequest('GET', 'invocation/next');

// One keep-alive HTTP/1.1 connection to the Runtime API, reopened when it drops (the
// server closes connections idle longer than its idle timeout, which a long handler
// can exceed). One exchange at a time.
class RuntimeClient {
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.host = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
    this.socket = null;
    this.buffer = EMPTY;
    this.job = null;
  }

  // Writes the requests back to back and resolves with the last answer
  // ({status, headers with lower-case names, body}); requests not yet answered when
  // the connection drops are sent once more on a new one.
  exchange(...requests) {
    return new Promise((resolve, reject) => {
      this.job = { requests, answered: 0, retried: false, resolve, reject };
      this.send();
    });
  }

  open() {
    const socket = net.connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    const lost = (err) => {
      if (this.socket !== socket) return;
      this.drop();
      this.retry(err || new Error('the Runtime API closed the connection'));
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    this.socket = socket;
    this.buffer = EMPTY;
  }

  drop() {
    const socket = this.socket;
    this.socket = null;
    this.buffer = EMPTY;
    socket.destroy();
  }

  send() {
    if (!this.socket) this.open();
    const unanswered = this.job.requests.slice(this.job.answered);
    this.socket.write(unanswered.length === 1 ? unanswered[0] : Buffer.concat(unanswered));
  }

  retry(err) {
    const job = this.job;
    if (!job) return;
    if (job.retried) {
      this.job = null;
      job.reject(err);
      return;
    }
    job.retried = true;
    this.send();
  }

  parse() {
    while (this.job) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':');
        headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
      }
      const stop = end + 4 + Number(headers['content-length'] || 0);
      if (this.buffer.length < stop) return;
      const answer = { status: Number(lines[0].split(' ')[1]), headers,
                       body: this.buffer.toString('utf8', end + 4, stop) };
      this.buffer = this.buffer.subarray(stop);
      const job = this.job;
      job.answered++;
      if (job.answered === job.requests.length) {
        this.job = null;
        job.resolve(answer);
      }
      if ((headers.connection || '').toLowerCase() === 'close') {
        this.drop();
        this.retry(new Error('the Runtime API closed the connection'));
        return;
      }
    }
  }
}

const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);

function errorBody(err) {
  if (err instanceof Error) {
    return JSON.stringify({ errorType: err.name || 'Error', errorMessage: err.message,
                            trace: String(err.stack || '').split('\n') });
  }
  return JSON.stringify({ errorType: 'string', errorMessage: String(err), trace: [] });
}

async function initError(type, message) {
  console.error(`${type}: ${message}`);
  await client.exchange(runtimeRequest('POST', 'init/error',
                                       JSON.stringify({ errorType: type, errorMessage: message, trace: [] }),
                                       { 'Lambda-Runtime-Function-Error-Type': type }));
  process.exit(1);
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  const moduleName = dot > 0 ? spec.slice(0, dot) : spec;
  const exportName = dot > 0 ? spec.slice(dot + 1) : '';
  const base = path.resolve(taskRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) return initError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  let mod;
  try {
    mod = file.endsWith('.mjs') ? await import(require('url').pathToFileURL(file).href) : require(file);
  } catch (err) {
    return initError('Runtime.ImportModuleError', `${err.name}: ${err.message}`);
  }
  let handler = mod;
  for (const part of exportName.split('.')) handler = handler ? handler[part] : undefined;
  if (typeof handler !== 'function') {
    return initError('Runtime.HandlerNotFound', `${spec} is undefined or not exported`);
  }
  return handler;
}

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const env = process.env;
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: headers['lambda-runtime-client-context'] ? JSON.parse(headers['lambda-runtime-client-context']) : undefined,
    identity: headers['lambda-runtime-cognito-identity'] ? JSON.parse(headers['lambda-runtime-cognito-identity']) : undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    succeed: (value) => finish(null, value),
    fail: (err) => finish(err),
    done: (err, value) => finish(err, value),
  };
}

// Runs the handler; resolves with [error, result] once it answers either way.
function invoke(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      resolve([err === undefined ? null : err, value]);
    };
    const context = makeContext(headers, finish);
    try {
      const out = handler(event, context, finish);
      if (out && typeof out.then === 'function') out.then((v) => finish(null, v), (e) => finish(e || new Error('rejected')));
      else if (handler.length < 3) finish(null, out);
    } catch (err) {
      finish(err);
    }
  });
}

async function main() {
  const handler = await loadHandler();
  let next = await client.exchange(NEXT_REQUEST);
  for (;;) {
    if (next.status !== 200) process.exit(0);
    const id = next.headers['lambda-runtime-aws-request-id'];
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    let event;
    let answer;
    try {
      event = next.body ? JSON.parse(next.body) : {};
    } catch (err) {
      answer = runtimeRequest('POST', `invocation/${id}/error`, errorBody(err));
    }
    if (!answer) {
      const [err, result] = await invoke(handler, event, next.headers);
      if (err) {
        console.error(`ERROR\tInvoke Error\t${errorBody(err)}`);
        answer = runtimeRequest('POST', `invocation/${id}/error`, errorBody(err),
                                { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
      } else {
        answer = runtimeRequest('POST', `invocation/${id}/response`,
                                result === undefined ? 'null' : JSON.stringify(result));
      }
    }
    next = await client.exchange(answer, NEXT_REQUEST);
  }
}

process.on('unhandledRejection', (err) => { console.error('Unhandled rejection', err); });
main().catch((err) => { console.error(err); process.exit(1); });
