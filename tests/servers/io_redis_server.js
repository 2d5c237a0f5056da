#!/usr/bin/env node
// One of two socket.io 4.8 servers joined by the Redis adapter
// (@socket.io/redis-adapter over node-redis, Debian redis-server on 127.0.0.1).
//
//   node tests/servers/io_redis_server.js PORT REDIS_PORT NAME
//   prints "PORT <n>" once Redis is connected.
// Namespace "/":
//   on connection         emit "hello" NAME (which server the client reached)
//   broadcast ...args     io.emit("news", NAME, ...args): every client of both servers
//   whoami                emit "whoami" NAME, the Engine.IO transport
'use strict';

const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

const port = parseInt(process.argv[2] || '0', 10);
const redisPort = parseInt(process.argv[3], 10);
const name = process.argv[4] || 'server';

async function main() {
  const pub = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  const sub = pub.duplicate();
  pub.on('error', (e) => process.stderr.write(`redis: ${e.message}\n`));
  sub.on('error', (e) => process.stderr.write(`redis: ${e.message}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub), pingInterval: 1000, pingTimeout: 1000 });
  io.on('connection', (socket) => {
    socket.emit('hello', name);
    socket.on('broadcast', (...args) => io.emit('news', name, ...args));
    socket.on('whoami', () => socket.emit('whoami', name, socket.conn.transport.name));
  });
  httpServer.listen(port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${httpServer.address().port}\n`);
  });
}

main().catch((e) => {
  process.stderr.write(`io_redis_server: ${e.stack || e}\n`);
  process.exit(1);
});
