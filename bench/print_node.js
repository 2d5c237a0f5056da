#!/usr/bin/env node
// A Node socket.io-client that prints what sioc io --json prints for each
// event (one JSON line on stdout), for bench/run_sioc.sh.
//   node bench/print_node.js URL N [stream|burst]
'use strict';
const { io } = require('socket.io-client');
const url = process.argv[2];
const n = parseInt(process.argv[3] || '200000', 10);
const socket = io(url, { transports: ['websocket'], reconnection: false });
let got = 0;
socket.onAny((name, ...args) => {
  process.stdout.write(JSON.stringify({ type: 'event', ns: '/', name, args }) + '\n');
  if (name === 'tick' && ++got === n) {
    socket.close();
    process.stdout.end(() => process.exit(0));
  }
});
socket.on('connect', () => socket.emit(process.argv[4] || 'stream', n));
