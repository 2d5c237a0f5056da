#!/usr/bin/env node
// The server of the soak (bench/run_soak.py): socket.io with its default
// heartbeat (pingInterval 25 s, pingTimeout 20 s) on 127.0.0.1:PORT (argv[2]).
// Acks "echo"; every 5 s one JSON line on stdout with the clients connected and
// the disconnects since the start by reason: "ping timeout" is a heartbeat the
// server missed. The driver kills it with SIGKILL (a crash) and starts another.
'use strict';
const { Server } = require('socket.io');
const io = new Server({ perMessageDeflate: false });
const reasons = {};
let connected = 0, connections = 0, echoes = 0;
io.on('connection', (socket) => {
  connected++;
  connections++;
  socket.on('echo', (x, cb) => { echoes++; if (typeof cb === 'function') cb(x); });
  socket.on('disconnect', (reason) => {
    connected--;
    reasons[reason] = (reasons[reason] || 0) + 1;
  });
});
const http = require('http').createServer();
io.attach(http);
http.listen(parseInt(process.argv[2] || '0', 10), '127.0.0.1', 4096, () => {
  process.stdout.write(`PORT ${http.address().port}\n`);
});
setInterval(() => {
  process.stdout.write(JSON.stringify({ wall: Math.floor(Date.now() / 1000), connected, connections, echoes,
                                        rss_kb: Math.round(process.memoryUsage().rss / 1024), reasons }) + '\n');
}, 5000);
