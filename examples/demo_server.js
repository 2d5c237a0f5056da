#!/usr/bin/env node
// The local server `make demo` runs the C clients against: one HTTP server on
// 127.0.0.1 carrying Socket.IO (path /socket.io/) and a plain WebSocket echo
// (path /echo).  Prints "PORT <n>" first.  Given a certificate and its key,
// the same again over TLS on a second port, then "TLSPORT <n>".
//     node examples/demo_server.js [PORT [CERT.pem KEY.pem]]
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { Server } = require('socket.io');
const { WebSocketServer } = require('ws');

function serve(server, port, label) {
  const io = new Server(server, { pingInterval: 5000, pingTimeout: 4000 });
  io.on('connection', (socket) => {
    socket.emit('welcome', { text: 'hello from the demo server', id: socket.id });
    socket.on('message', (...args) => socket.emit('message-back', ...args));
    socket.on('temperature', (value, ack) => {
      if (typeof ack === 'function') ack({ stored: value, unit: 'C' });
    });
    socket.on('picture', () => socket.emit('picture', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'png header'));
  });
  io.of('/admin').use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === 'secret') return next();
    const err = new Error('not authorized');
    err.data = { hint: 'pass --auth {"token":"secret"}' };
    next(err);
  });
  io.of('/admin').on('connection', (socket) => socket.emit('status', 'admin ok'));

  // Plain WebSocket echo on /echo, sharing the port (socket.io keeps /socket.io/).
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.on('upgrade', (req, socket, head) => {
    if (req.url.startsWith('/echo')) wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`${label} ${server.address().port}\n`);
    resolve();
  }));
}

(async () => {
  await serve(http.createServer(), parseInt(process.argv[2] || '0', 10), 'PORT');
  if (process.argv[4]) {
    const tls = { cert: fs.readFileSync(process.argv[3]), key: fs.readFileSync(process.argv[4]) };
    await serve(https.createServer(tls), 0, 'TLSPORT');
  }
})();
