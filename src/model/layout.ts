/** Output names of a compiled model (see the module comment of ./types.ts). */
import type { ModelIR, Task } from '../ir/types.js';
import type { OutputLayout } from './types.js';

/** True when a task is its own output (it is not just the single tower of the same name). */
export function isTaskOutput(task: Task): boolean {
  return !(task.head.length === 1 && task.head[0] === task.name);
}

/** Towers in IR order, then tasks that are outputs of their own, then gates. */
export function outputLayout(ir: ModelIR): OutputLayout {
  return {
    outputs: [...ir.nodes.filter((n) => n.kind === 'tower').map((n) => n.name), ...ir.tasks.filter(isTaskOutput).map((t) => t.name)],
    gates: ir.nodes.filter((n) => n.kind === 'gate').map((n) => n.name),
  };
}
