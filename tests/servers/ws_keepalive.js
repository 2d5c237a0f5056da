#!/usr/bin/env node
// A `ws` server that does not answer pings (autoPong: false), for the
// client's keepalive (sio_config.ping_interval_ms / sioc --ping-interval).
//
//   node tests/servers/ws_keepalive.js PORT      (0 = pick a free port)
//
// Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
// Paths:
//   /silent          accept, then never send anything (no pongs either)
//   /busy?every=MS   send "tick N" every MS ms, never pong: alive by its data
//   /pong-once       answer the first ping only, then go silent
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });

server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://h');
  ws.on('error', () => {});
  if (url.pathname === '/busy') {
    const every = parseInt(url.searchParams.get('every') || '50', 10);
    let n = 0;
    const t = setInterval(() => ws.send(`tick ${n++}`), every);
    ws.on('close', () => clearInterval(t));
  } else if (url.pathname === '/pong-once') {
    let answered = false;
    ws.on('ping', (data) => { if (!answered) { answered = true; ws.pong(data); } });
  }
});

server.listen(parseInt(process.argv[2] || '0', 10), '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
