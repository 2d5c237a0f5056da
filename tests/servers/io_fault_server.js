#!/usr/bin/env node
// A socket.io 4.8 server for the reconnection tests: it is killed and started
// again on the same port, and it records what it received in a log file that
// outlives it.
//
//   node tests/servers/io_fault_server.js PORT --log FILE [--recovery]
//     PORT 0 picks a free port; prints "PORT <n>" first on stdout.
//     --recovery   connectionStateRecovery on (maxDisconnectionDuration 30 s)
//
// Every line of the log is JSON: {"ev":"connect","ns":"/","recovered":bool}
// on each namespace connection, {"ev":"seq","n":N} for every "seq" event.
// Events on "/" (and "/extra"):
//   seq n           logged (n is the client's counter)
//   drop-me         the server closes the client's transport ("forced close",
//                   recoverable), then broadcasts "missed" 0..4 at once
//   flush           acks ["flushed", <seq events logged so far>]
// On connection "/" broadcasts "hello" (with recovery on, this gives the
// client an offset to recover from).
'use strict';

const fs = require('fs');
const http = require('http');
const { Server } = require('socket.io');

function opt(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const port = parseInt(process.argv[2] || '0', 10);
const logFile = opt('--log');
if (!logFile) {
  process.stderr.write('usage: io_fault_server.js PORT --log FILE [--recovery]\n');
  process.exit(2);
}
let seqCount = 0;
function log(obj) {
  fs.appendFileSync(logFile, JSON.stringify(obj) + '\n');
}

const cfg = { pingInterval: 500, pingTimeout: 400 };
if (process.argv.includes('--recovery')) {
  cfg.connectionStateRecovery = { maxDisconnectionDuration: 30000, skipMiddlewares: true };
}
const httpServer = http.createServer();
const io = new Server(httpServer, cfg);

function setup(nsp) {
  nsp.on('connection', (socket) => {
    log({ ev: 'connect', ns: nsp.name, recovered: !!socket.recovered, transport: socket.conn.transport.name });
    if (nsp.name === '/' && !socket.recovered) io.emit('hello', nsp.name);
    socket.on('seq', (n) => {
      seqCount++;
      log({ ev: 'seq', ns: nsp.name, n });
    });
    socket.on('flush', (ack) => {
      if (typeof ack === 'function') ack('flushed', seqCount);
    });
    socket.on('drop-me', () => {
      socket.conn.close();
      setTimeout(() => {
        for (let i = 0; i < 5; i++) io.emit('missed', i);
      }, 50);
    });
  });
}
setup(io.of('/'));
setup(io.of('/extra'));

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT ${httpServer.address().port}\n`);
});
