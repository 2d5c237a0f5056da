
#ifdef __cplusplus
}
#endif

#endif /* SIO__IMPLEMENTED */
#endif /* SIO_IMPLEMENTATION */

/*
 * ----------------------------------------------------------------------
 * Change history
 *   0.1.0 (2026-11-22)  WebSocket client (RFC 6455), POSIX platform, sioc ws.
 *   0.2.0 (2026-11-22)  Socket.IO polling and upgrade, Engine.IO 3, reconnection.
 *   0.2.1 (2026-12-03)  Security fixes (six defects from an independent review),
 *                       TLS policy, sets, non-blocking DNS, smaller builds.
 * ----------------------------------------------------------------------
 * MIT License
 *
 * Copyright (c) 2026 the sio authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 * SOFTWARE.
 */
