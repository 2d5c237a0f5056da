#!/usr/bin/env node
// Reference WebSocket server for the sio integration tests, built on the
// `ws` package (pinned in the repo's package.json).
//
//   node tests/servers/ws_echo.js PORT      (0 = pick a free port)
//
// Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
// Paths:
//   /echo                         echo every message, same opcode
//   /fragmented?size=N&frags=K    push one text message of N bytes ('a'..'z'
//                                 repeating) as K fragments, then one binary
//                                 message of N bytes (i & 0xff) as K fragments,
//                                 then wait (echoing anything received)
//   /delayed-echo?ms=N            echo every message N ms later
//   /close?code=C&reason=R        close with C/R right after open
//   /subprotocol                  (first offered subprotocol is selected)
//                                 send a text message naming the selected one
//   /headers                      send a text message: JSON of request headers
//   /binary-echo-check?size=N     send N random bytes as binary; the client
//   /text-echo-check?size=N       (--echo) echoes them; compare, then send
//                                 "ok <sha256 hex>" or "bad ..." and close 1000
'use strict';

const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const port = parseInt(process.argv[2] || '0', 10);

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  maxPayload: 64 * 1024 * 1024,
  perMessageDeflate: false,
  clientTracking: true,
  // Select the first offered subprotocol (ws gives a Set in offer order).
  handleProtocols: (protocols) => {
    for (const p of protocols) return p;
    return false;
  },
});

wss.on('listening', () => {
  process.stdout.write(`PORT ${wss.address().port}\n`);
});

wss.on('error', (err) => {
  process.stderr.write(`ws_echo: ${err.stack || err}\n`);
  process.exit(1);
});

function alphabet(n) {
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = 97 + (i % 26);
  return buf;
}

function sendFragmented(ws, data, binary, frags) {
  const k = Math.max(1, Math.min(frags, data.length || 1));
  const step = Math.ceil(data.length / k) || 0;
  let off = 0;
  for (let i = 0; i < k; i++) {
    const last = i === k - 1;
    const end = last ? data.length : Math.min(data.length, off + step);
    ws.send(data.subarray(off, end), { binary, fin: last, compress: false });
    off = end;
  }
}

function echo(ws) {
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary, compress: false });
  });
}

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const q = url.searchParams;
  ws.on('error', () => {});

  switch (url.pathname) {
    case '/echo':
      echo(ws);
      break;

    case '/delayed-echo': {                       // each message back after ms (a push while typing)
      const ms = parseInt(q.get('ms') || '1000', 10);
      ws.on('message', (data, isBinary) => setTimeout(() => ws.send(data, { binary: isBinary }), ms));
      break;
    }

    case '/fragmented': {
      const size = parseInt(q.get('size') || '1000', 10);
      const frags = parseInt(q.get('frags') || '4', 10);
      sendFragmented(ws, alphabet(size), false, frags);
      const bin = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i++) bin[i] = i & 0xff;
      sendFragmented(ws, bin, true, frags);
      echo(ws);
      break;
    }

    case '/close': {
      const code = parseInt(q.get('code') || '1000', 10);
      const reason = q.get('reason') || '';
      ws.close(code, reason);
      break;
    }

    case '/subprotocol':
      ws.send(`protocol:${ws.protocol}`);
      echo(ws);
      break;

    case '/headers':
      ws.send(JSON.stringify(req.headers));
      echo(ws);
      break;

    case '/binary-echo-check':
    case '/text-echo-check': {
      const size = parseInt(q.get('size') || '0', 10);
      const binary = url.pathname === '/binary-echo-check';
      const payload = binary ? crypto.randomBytes(size) : alphabet(size);
      const digest = crypto.createHash('sha256').update(payload).digest('hex');
      let done = false;
      ws.on('message', (data, isBinary) => {
        if (done) return;
        done = true;
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
        let verdict;
        if (isBinary !== binary) verdict = `bad opcode binary=${isBinary}`;
        else if (!buf.equals(payload)) verdict = `bad content len=${buf.length} want=${size}`;
        else verdict = `ok ${digest}`;
        ws.send(verdict, () => ws.close(1000, ''));
      });
      ws.send(payload, { binary, compress: false });
      break;
    }

    default:
      ws.close(4404, 'unknown path');
  }
});

function shutdown() {
  for (const c of wss.clients) c.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
