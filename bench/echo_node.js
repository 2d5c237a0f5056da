#!/usr/bin/env node
// A wscat-like Node client for bench/run_echo.sh: sends every message back.
//   node bench/echo_node.js URL
'use strict';
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[2], { perMessageDeflate: false });
ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
ws.on('close', () => process.exit(0));
