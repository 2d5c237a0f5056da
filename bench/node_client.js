#!/usr/bin/env node
// The Node socket.io-client 4.8 side of bench/run_io.sh: same phases as bench_io.c.
//   node bench/node_client.js URL N
'use strict';
const { io } = require('socket.io-client');
const url = process.argv[2];
const n = parseInt(process.argv[3] || '200000', 10);
const socket = io(url, { transports: ['websocket'], reconnection: false });
const cpu = () => process.cpuUsage();   // { user, system } in microseconds
const result = { client: 'node socket.io-client 4.8.4' };

socket.on('connect', () => {
  let got = 0;
  const c0 = cpu();
  socket.on('tick', () => {
    if (++got === n) {
      const c1 = cpu();
      result.recv_user_us = (c1.user - c0.user) / n;
      result.recv_sys_us = (c1.system - c0.system) / n;
      socket.off('tick');
      burstPhase();
    }
  });
  socket.emit('stream', n);
});

// The same stream, but already queued when reading starts: the event loop is
// held for 2 s (not measured), as bench_io.c sleeps.
function burstPhase() {
  let got = 0, c0 = null;
  socket.on('tick', () => {
    if (++got === n) {
      const c1 = cpu();
      result.burst_user_us = (c1.user - c0.user) / n;
      result.burst_sys_us = (c1.system - c0.system) / n;
      socket.off('tick');
      sendPhase();
    }
  });
  socket.emit('stream', n);
  setImmediate(() => {
    const until = Date.now() + 2000;
    while (Date.now() < until) { /* hold the loop so the events queue up */ }
    c0 = cpu();
  });
}

function sendPhase() {
  socket.emit('expect', n);
  const c0 = cpu();
  socket.once('done', () => {
    const c1 = cpu();
    result.send_user_us = (c1.user - c0.user) / n;
    result.send_sys_us = (c1.system - c0.system) / n;
    ackPhase();
  });
  for (let i = 0; i < n; i++) socket.emit('up', i);
}

function ackPhase() {
  const samples = [];
  let i = 0;
  const one = () => {
    const t0 = process.hrtime.bigint();
    socket.emit('echo', i, () => {
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      if (++i < 2000) one();
      else {
        samples.sort((a, b) => a - b);
        result.ack_p50_us = samples[1000];
        result.ack_p99_us = samples[1980];
        process.stdout.write(JSON.stringify(result) + '\n');
        socket.close();
        process.exit(0);
      }
    });
  };
  one();
}
