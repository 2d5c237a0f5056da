#!/usr/bin/env node
// A Socket.IO 2.x server (npm alias socket.io-v2 = socket.io@2.5.1: Engine.IO 3,
// Socket.IO protocol v4) for the client's --eio 3 tests.
//
//   node tests/servers/io_v2_server.js PORT
//   prints "PORT <n>"; pingInterval 500, pingTimeout 400 (the client pings).
//
// Namespace "/":
//   on connection        emit "query" socket.handshake.query
//   message ...args      emit "message-back" ...args (binary preserved)
//   message-with-ack ... ack(...args)
//   request-binary       emit "binary" <Buffer 01 02 03>, {"deep":[<Buffer 04 05>]}
//   transport            emit "transport" <the Engine.IO transport in use>
//   disconnect-me        socket.disconnect(true)
// Namespace "/admin": a middleware accepts handshake query token=secret, else
//   next(new Error("not authorized")) (an ERROR packet); message -> "admin-back".
'use strict';

const http = require('http');
const socketio = require('socket.io-v2');

const port = parseInt(process.argv[2] || '0', 10);
const httpServer = http.createServer();
const io = socketio(httpServer, { pingInterval: 500, pingTimeout: 400, cookie: false });

io.of('/').on('connection', (socket) => {
  socket.emit('query', socket.handshake.query);
  socket.on('message', (...args) => socket.emit('message-back', ...args));
  socket.on('message-with-ack', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') ack(...args);
  });
  socket.on('request-binary', () => socket.emit('binary', Buffer.from([1, 2, 3]), { deep: [Buffer.from([4, 5])] }));
  socket.on('transport', () => socket.emit('transport', socket.conn.transport.name));
  socket.on('disconnect-me', () => socket.disconnect(true));
});

const admin = io.of('/admin');
admin.use((socket, next) => {
  if (socket.handshake.query.token === 'secret') return next();
  return next(new Error('not authorized'));
});
admin.on('connection', (socket) => {
  socket.on('message', (...args) => socket.emit('admin-back', ...args));
});

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT ${httpServer.address().port}\n`);
});
