#!/usr/bin/env node
// Reference Socket.IO server for sio's io-mode integration tests, built on the
// repo's pinned `socket.io` (4.8.x; `npm ci` first).
//
//   node tests/servers/io_server.js PORT [options]        (0 = pick a free port)
//     --ping-interval MS     (default 300)
//     --ping-timeout MS      (default 200)
//     --max-buffer BYTES     maxHttpBufferSize (default 1e6; "small buffer" = 1000)
//     --connect-timeout MS   (default 1000)
//     --allow-eio3           accept Engine.IO 3 clients (allowEIO3)
//     --polling-only         transports: ['polling'] (no upgrade offered)
//     --deflate              perMessageDeflate with threshold 0: every WebSocket frame
//                            compressed, the upgrade probe's "3probe" too
//   The same settings can come from the environment: IO_PING_INTERVAL,
//   IO_PING_TIMEOUT, IO_MAX_BUFFER, IO_CONNECT_TIMEOUT (argv wins).
//
// Listens on 127.0.0.1 only; prints "PORT <n>" as its first stdout line.
// Engine.IO path /socket.io/, transports polling + websocket.
//
// Namespace "/":
//   on connection           emit "auth"  socket.handshake.auth
//                           emit "query" socket.handshake.query
//   message ...args         emit "message-back" ...args (binary preserved)
//   message-with-ack ...    ack(...args)
//   ack-in-steps ...        ack(...args) after 20, 30, 40, 50, 60, 20, ... ms,
//                           stepping per socket (known latency percentiles)
//   record value            appends JSON value and a newline to the file named by
//                           --record-log FILE (written before the ack, so a kill
//                           never loses a delivery the client saw acked), then
//                           acks ("ok") after --record-delay MS (default 0)
//   inspect ...args         emit "inspected" ...args where every Buffer is
//                           replaced by {"$buffer":"<hex>"} (shows whether the
//                           client sent real binary attachments)
//   request-ack ...args     emit "please-ack" ...args with a callback; when the
//                           client acks, emit "got-ack" ...ackArgs
//   request-binary          emit "binary" <Buffer 01 02 03>, {"deep":[<Buffer 04 05>]}
//   nested                  emit "nested" ...NESTED_ARGS (fixed, see below)
//   big n                   emit "big" "x" * n
//   big-binary bytes        emit "big-binary" bytes, <Buffer of that many pattern bytes>
//   upload buf ...          ack({len, bad}): buf's length and the first byte that is not
//                           the pattern (-1: none), for attachments sent in parts
//                           (pattern: byte i = (i*131 + (i>>13)*7 + (i>>21)) & 255)
//   disconnect-me           socket.disconnect(true)
//   disconnect-me-soft      socket.disconnect()   (namespace only)
//   transport               emit "transport" <the Engine.IO transport in use now>
//   stream n                emit "tick" i for i in 0..n-1 (all at once, in order)
//   periodic ms count       emit "beat" i every ms milliseconds, count times
//   delay ms ...args        emit "delayed-back" ...args after ms
//   ignore-me ...           nothing (never acks)
// Namespace "/admin": middleware accepts auth.token === "secret", otherwise
//   next(err) with err.message "not authorized", err.data {"content":"retry later"};
//   message ...args -> emit "admin-back" ...args.
// No "/unknown" namespace (connect -> CONNECT_ERROR "Invalid namespace").
'use strict';

const http = require('http');
const { Server } = require('socket.io');

// Keep in sync with NESTED_ARGS in tests/integration_io.py.
const NESTED_ARGS = [
  {
    a: { b: [1, 2, { c: null, d: [true, false] }], e: {} },
    unicode: 'h\u00e9llo w\u00f6rld \u20ac \u4e2d\u6587 \u0416',
    emoji: '\u{1F600}\u{1F389}\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
    escapes: 'quote" backslash\\ slash/ nl\n tab\t cr\r ctl\u0001 ls\u2028',
    'k\u00e9y \u{1F511}': 'unicode key',
    numbers: [0, -1, 42, 3.5, -0.25, 1e-7, 1.5e300, 9007199254740991, -9007199254740991],
    empty_str: '',
    empty_arr: [],
  },
  'plain',
  12345,
  -7.25,
  null,
  true,
  false,
  [[[[['deep']]]]],
];

function opt(name, envName, def) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return Number(process.argv[i + 1]);
  if (process.env[envName]) return Number(process.env[envName]);
  return def;
}

const port = parseInt(process.argv[2] || '0', 10);
const cfg = {
  pingInterval: opt('--ping-interval', 'IO_PING_INTERVAL', 300),
  pingTimeout: opt('--ping-timeout', 'IO_PING_TIMEOUT', 200),
  maxHttpBufferSize: opt('--max-buffer', 'IO_MAX_BUFFER', 1e6),
  connectTimeout: opt('--connect-timeout', 'IO_CONNECT_TIMEOUT', 1000),
  transports: process.argv.includes('--polling-only') ? ['polling'] : ['polling', 'websocket'],
  cors: { origin: '*' },
  // --allow-eio3: Engine.IO 3 / Socket.IO v4 clients too (as servers upgraded from 2.x)
  allowEIO3: process.argv.includes('--allow-eio3'),
  perMessageDeflate: process.argv.includes('--deflate') ? { threshold: 0 } : false,
  // A handshake whose query has deny=1 is refused: 403 {"code":4,"message":"denied by test"}.
  allowRequest: (req, cb) => cb(/[?&]deny=1/.test(req.url) ? 'denied by test' : null, !/[?&]deny=1/.test(req.url)),
};

const httpServer = http.createServer();
const io = new Server(httpServer, cfg);

function stripAck(args) {
  if (args.length && typeof args[args.length - 1] === 'function') {
    return { args: args.slice(0, -1), ack: args[args.length - 1] };
  }
  return { args, ack: null };
}

function inspect(v) {
  if (Buffer.isBuffer(v)) return { $buffer: v.toString('hex') };
  if (v instanceof ArrayBuffer) return { $buffer: Buffer.from(v).toString('hex') };
  if (ArrayBuffer.isView(v)) return { $buffer: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return v.map(inspect);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = inspect(v[k]);
    return o;
  }
  return v;
}

function log(msg) {
  process.stderr.write(`io_server: ${msg}\n`);
}

// Byte i of a large test message: not periodic in any power of two.
function pattern(i) { return (i * 131 + Math.floor(i / 8192) * 7 + Math.floor(i / 2097152)) & 255; }

io.on('connection', (socket) => {
  log(`connect / ${socket.id} auth=${JSON.stringify(socket.handshake.auth)}`);
  socket.emit('auth', socket.handshake.auth);
  socket.emit('query', socket.handshake.query);

  socket.on('message', (...raw) => {
    const { args } = stripAck(raw);
    socket.emit('message-back', ...args);
  });
  socket.on('message-with-ack', (...raw) => {
    const { args, ack } = stripAck(raw);
    if (ack) ack(...args);
  });
  socket.on('record', (...raw) => {
    const { args, ack } = stripAck(raw);
    const i = process.argv.indexOf('--record-log');
    if (i >= 0) require('fs').appendFileSync(process.argv[i + 1], JSON.stringify(args[0]) + '\n');
    if (ack) setTimeout(() => ack('ok'), opt('--record-delay', 'IO_RECORD_DELAY', 0));
  });
  let step = 0;
  socket.on('ack-in-steps', (...raw) => {
    const { args, ack } = stripAck(raw);
    const ms = 20 + 10 * (step++ % 5);
    if (ack) setTimeout(() => ack(...args), ms);
  });
  // "extensions": what the WebSocket under this socket agreed, once the
  // connection runs on one (after the upgrade when it started on polling)
  socket.on('extensions', () => {
    const reply = () => {
      const ws = socket.conn.transport.socket;
      socket.emit('extensions', Object.keys((ws && ws._extensions) || {}), socket.conn.transport.name);
    };
    if (socket.conn.transport.name === 'websocket') reply();
    else socket.conn.once('upgrade', reply);
  });
  socket.on('inspect', (...raw) => {
    const { args } = stripAck(raw);
    socket.emit('inspected', ...args.map(inspect));
  });
  socket.on('request-ack', (...raw) => {
    const { args } = stripAck(raw);
    socket.emit('please-ack', ...args, (...ackArgs) => {
      socket.emit('got-ack', ...ackArgs);
    });
  });
  socket.on('request-binary', () => {
    socket.emit('binary', Buffer.from([1, 2, 3]), { deep: [Buffer.from([4, 5])] });
  });
  socket.on('binary-pairs', (n) => {   // one filtered binary event before each wanted one
    n = Math.max(0, Math.min(Number(n) || 0, 10000));
    for (let i = 0; i < n; i++) {
      socket.emit('other', Buffer.from([9, 9]));
      socket.emit('want', i, Buffer.from([i & 255, 1, 2]));
    }
  });
  socket.on('nested', () => {
    socket.emit('nested', ...NESTED_ARGS);
  });
  socket.on('big', (n) => {
    socket.emit('big', 'x'.repeat(Math.max(0, Math.min(Number(n) || 0, 64 * 1024 * 1024))));
  });
  socket.on('big-binary', (n) => {
    n = Math.max(0, Math.min(Number(n) || 0, 256 * 1024 * 1024));
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = pattern(i);
    socket.emit('big-binary', n, b);
  });
  socket.on('upload', (buf, ...rest) => {
    const ack = rest.length && typeof rest[rest.length - 1] === 'function' ? rest.pop() : null;
    let bad = -1;
    if (!Buffer.isBuffer(buf)) bad = -2;
    else for (let i = 0; i < buf.length; i++) if (buf[i] !== pattern(i)) { bad = i; break; }
    if (ack) ack({ len: Buffer.isBuffer(buf) ? buf.length : -1, bad });
  });
  socket.on('disconnect-me', () => socket.disconnect(true));
  socket.on('disconnect-me-soft', () => socket.disconnect());
  socket.on('transport', () => socket.emit('transport', socket.conn.transport.name));
  socket.on('stream', (n) => {
    n = Math.max(0, Math.min(Number(n) || 0, 1000000));
    for (let i = 0; i < n; i++) socket.emit('tick', i);
  });
  socket.on('periodic', (ms, count) => {
    let i = 0;
    const t = setInterval(() => {
      if (!socket.connected || i >= count) { clearInterval(t); return; }
      socket.emit('beat', i++);
    }, Number(ms) || 100);
    socket.on('disconnect', () => clearInterval(t));
  });
  socket.on('delay', (ms, ...raw) => {
    const { args } = stripAck(raw);
    setTimeout(() => socket.emit('delayed-back', ...args), Number(ms) || 0);
  });
  socket.on('ignore-me', () => {});
  socket.on('disconnect', (reason) => log(`disconnect / ${socket.id} ${reason}`));
});

const admin = io.of('/admin');
admin.use((socket, next) => {
  const auth = socket.handshake.auth || {};
  if (auth.token === 'secret') return next();
  const err = new Error('not authorized');
  err.data = { content: 'retry later' };
  next(err);
});
admin.on('connection', (socket) => {
  log(`connect /admin ${socket.id}`);
  socket.on('message', (...raw) => {
    const { args } = stripAck(raw);
    socket.emit('admin-back', ...args);
  });
  socket.on('disconnect', (reason) => log(`disconnect /admin ${socket.id} ${reason}`));
});

httpServer.on('error', (err) => {
  log(err.stack || String(err));
  process.exit(1);
});

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT ${httpServer.address().port}\n`);
  log(`config ${JSON.stringify(cfg)}`);
});

function shutdown() {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
