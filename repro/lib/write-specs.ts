/**
 * Write the generated specs into repro/specs/ from the reference specs in specs/ (run at the start of
 * every reproduction, so they always follow the reference architectures).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CENSUS_ARCHS, censusGroup2Spec, cvrNaiveSpec, MMOE_SYNTH_ARCHS, mmoeSynthSpec } from './specs.js';

/** Regenerate repro/specs/*.mtl under `root`; returns the files written. */
export async function writeGeneratedSpecs(root: string): Promise<string[]> {
  const dir = path.join(root, 'repro', 'specs');
  await fsp.mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [];
  for (const arch of CENSUS_ARCHS) {
    files.push([`${arch}-group2.mtl`, censusGroup2Spec(await fsp.readFile(path.join(root, 'specs', `${arch}.mtl`), 'utf8'), arch)]);
  }
  files.push(['cvr-naive.mtl', cvrNaiveSpec(await fsp.readFile(path.join(root, 'specs', 'esmm.mtl'), 'utf8'))]);
  for (const arch of MMOE_SYNTH_ARCHS) files.push([`synth-${arch}.mtl`, mmoeSynthSpec(arch)]);
  for (const [name, text] of files) await fsp.writeFile(path.join(dir, name), text);
  return files.map(([n]) => path.join(dir, n));
}
