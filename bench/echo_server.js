#!/usr/bin/env node
// Peer for bench/run_echo.sh: a ws server on 127.0.0.1 that sends each client
// N text messages of 32 bytes (?n=N), at most 1000 waiting for their echo at a
// time, counts the echoes and closes with 1000 after the N-th.  Prints "PORT n".
'use strict';
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: parseInt(process.argv[2] || '0', 10), perMessageDeflate: false });
const msg = 'x'.repeat(32);
wss.on('connection', (ws, req) => {
  const n = parseInt(new URL(req.url, 'http://h').searchParams.get('n') || '100000', 10);
  let sent = 0, echoed = 0;
  const send = () => { while (sent < n && sent - echoed < 1000) { ws.send(msg); sent++; } };
  ws.on('message', () => { if (++echoed === n) ws.close(1000); else send(); });
  send();
});
wss.on('listening', () => process.stdout.write(`PORT ${wss.address().port}\n`));
