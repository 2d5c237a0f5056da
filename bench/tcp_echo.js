#!/usr/bin/env node
// The baseline of the ack round trip (bench/run_io.sh): a raw TCP echo
// server on 127.0.0.1 in the same Node.js as the socket.io server would run;
// prints "PORT n".
'use strict';
const net = require('net');
const server = net.createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('data', (d) => sock.write(d));
});
server.listen(parseInt(process.argv[2] || '0', 10), '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
