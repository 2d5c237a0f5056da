// bench/tls_stream_server.js CERT KEY: one WebSocket server over https and
// one over plain http (127.0.0.1, free ports), printed as "PORTS <tls> <plain>".
//   /idle              accept and wait (handshake and heap benchmarks)
//   /stream?mib=N      send N MiB as 64 KiB binary messages, then close 1000
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const [certFile, keyFile] = process.argv.slice(2);
const chunk = Buffer.alloc(65536, 0x5a);

function serve(server) {
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://x');
    ws.on('error', () => {});
    if (url.pathname !== '/stream') return;
    let left = parseInt(url.searchParams.get('mib') || '64', 10) * 16;
    const pump = () => {
      while (left > 0 && ws.bufferedAmount < 4 * 1024 * 1024) { ws.send(chunk, { binary: true }); left--; }
      if (left > 0) setTimeout(pump, 1); else ws.close(1000, '');
    };
    pump();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

Promise.all([serve(https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) })),
             serve(http.createServer())])
  .then(([t, p]) => console.log(`PORTS ${t} ${p}`));
