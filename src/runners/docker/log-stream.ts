/**
 * Decodes the log stream of a container started without a TTY: the daemon multiplexes stdout and
 * stderr into frames of an 8-byte header (stream 1 = stdout, 2 = stderr; 3 zero bytes; a big-endian
 * uint32 payload length) followed by the payload. Returns the payloads in order, both streams
 * interleaved as the container wrote them, which is what a reader of a failed trial wants to see.
 */
export function demultiplexLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (stream === undefined || stream > 2 || buffer[offset + 1] !== 0) {
      // Not a multiplexed stream (a container with a TTY sends raw bytes): take the rest as it is.
      parts.push(buffer.subarray(offset));
      return Buffer.concat(parts).toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size)));
    offset += 8 + size;
  }
  if (offset < buffer.length) parts.push(buffer.subarray(offset));
  return Buffer.concat(parts).toString('utf8');
}
