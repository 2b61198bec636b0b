/** Test helper: Parquet files written with hyparquet-writer (scalar and list columns, any codec, row group size). */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';

/** A column to write: a scalar of `type`, or (list) a list of strings. `null` entries are nulls. */
export interface PqColumn {
  name: string;
  type: 'INT32' | 'INT64' | 'DOUBLE' | 'FLOAT' | 'BOOLEAN' | 'STRING' | 'LIST';
  data: unknown[];
}

/** Compressors for the writer: gzip with zlib, zstd with the zstd command (the package has decompressors only). */
const COMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)),
  ZSTD: (b: Uint8Array) => new Uint8Array(execFileSync('zstd', ['-q', '-c'], { input: b })),
};

/** Write `columns` to `file` as Parquet with `codec` and row groups of `rowGroupSize` rows. */
export function writeParquet(file: string, columns: PqColumn[], opts: { codec?: 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD'; rowGroupSize?: number } = {}): string {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    if (c.type === 'LIST') {
      schema.push(
        { name: c.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
    } else if (c.type === 'STRING') schema.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    else schema.push({ name: c.name, type: c.type, repetition_type: 'OPTIONAL' });
  }
  parquetWriteFile({
    filename: file,
    schema,
    codec: opts.codec ?? 'SNAPPY',
    compressors: COMPRESSORS,
    rowGroupSize: opts.rowGroupSize ?? 100_000,
    columnData: columns.map((c) => ({ name: c.name, data: c.data as never })),
  });
  return file;
}
