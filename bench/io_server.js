#!/usr/bin/env node
// Peer for the Socket.IO benchmarks (bench/run_io.sh): 127.0.0.1, prints "PORT n".
//   stream n   -> emits "tick" i for i in 0..n-1 (the receive path)
//   burst n    -> emits "ready", then 500 ms later the n ticks: bench/run_sioc.sh
//                 stops the client meanwhile (SIGSTOP), so they wait in the socket
//                 and are read as a backlog, many per wake-up
//   expect n   -> counts "up" events and emits "done" after the n-th (the send path)
//   echo x, cb -> cb(x) (the emit-to-ack round trip)
//   cpu cb     -> cb(server CPU microseconds so far)
'use strict';
const { Server } = require('socket.io');
// IO_PING_INTERVAL / IO_PING_TIMEOUT (ms) override the defaults (bench_mem holds
// thousands of idle clients with short heartbeats); IO_DEFLATE=1 compresses.
const io = new Server({
  pingInterval: Number(process.env.IO_PING_INTERVAL) || 25000,
  pingTimeout: Number(process.env.IO_PING_TIMEOUT) || 20000,
  maxHttpBufferSize: 1e8,
  // IO_DEFLATE=1: permessage-deflate, every frame compressed (bench_mem's "on" rows)
  perMessageDeflate: process.env.IO_DEFLATE ? { threshold: 0 } : false,
});
io.on('connection', (socket) => {
  // IO_WELCOME=1: a first message long enough to compress, so that a client
  // that keeps the server's history has one
  if (process.env.IO_WELCOME) socket.emit('welcome', 'compressed welcome '.repeat(20));
  let want = 0, got = 0;
  socket.on('stream', (n) => { for (let i = 0; i < n; i++) socket.emit('tick', i); });
  socket.on('burst', (n) => {
    socket.emit('ready', n);
    setTimeout(() => { for (let i = 0; i < n; i++) socket.emit('tick', i); }, 500);
  });
  socket.on('expect', (n) => { want = n; got = 0; });
  socket.on('up', () => { if (++got === want) socket.emit('done', got); });
  socket.on('echo', (x, cb) => cb(x));
  // the server's own CPU (user + system microseconds), read before and after
  // the ack phase: what the server spends per round trip
  socket.on('cpu', (cb) => { const u = process.cpuUsage(); cb(u.user + u.system); });
});
const http = require('http').createServer();
io.attach(http);
http.listen(parseInt(process.argv[2] || '0', 10), '127.0.0.1', () => {
  process.stdout.write(`PORT ${http.address().port}\n`);
});
