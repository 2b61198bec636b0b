/**
 * The safetensors layout, read and written without dependencies: an 8-byte little-endian header length, a
 * JSON header (name → dtype, shape, data_offsets), then raw little-endian data. It is the exchange format
 * between the tfjs artifact and the generated PyTorch package (whose weights.py reads the same layout).
 */

/** A float32 tensor. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Serialise float32 tensors (sorted by name) with optional string metadata. */
export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const bytes = tensors[name]!.data.length * 4;
    header[name] = { dtype: 'F32', shape: tensors[name]!.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  let head = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (head.length % 8)) % 8;
  if (pad) head = Buffer.concat([head, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, at);
    at += d.byteLength;
  }
  return out;
}

/** Parse a safetensors file into float32 tensors (F64/I64/I32 are converted); throws with a reason on a bad file. */
export function decodeSafetensors(bytes: Uint8Array): Record<string, NamedTensor> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) throw new Error('the file is shorter than its 8-byte header length');
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new Error('the header runs past the end of the file');
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const body = buf.subarray(8 + n);
  const out: Record<string, NamedTensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [start, end] = info.data_offsets;
    if (end > body.length || start > end) throw new Error(`tensor '${name}' runs past the end of the file`);
    const chunk = Buffer.from(body.subarray(start, end)); // a copy: aligned for typed-array views
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    const size = { F32: 4, F64: 8, I64: 8, I32: 4 }[info.dtype];
    if (size === undefined) throw new Error(`tensor '${name}' has the unsupported dtype ${info.dtype}`);
    if (count * size !== chunk.length) throw new Error(`tensor '${name}' has ${chunk.length} bytes for shape [${info.shape}]`);
    for (let i = 0; i < count; i++) {
      data[i] =
        info.dtype === 'F32' ? view.getFloat32(i * 4, true) : info.dtype === 'F64' ? view.getFloat64(i * 8, true) : info.dtype === 'I32' ? view.getInt32(i * 4, true) : Number(view.getBigInt64(i * 8, true));
    }
    out[name] = { shape: info.shape, data };
  }
  return out;
}
