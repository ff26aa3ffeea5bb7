/**
 * The worker thread of off-thread.ts: imports the module a task names, calls its export and posts
 * the result back, as JSON text where that is exact.
 */
import { parentPort } from 'node:worker_threads';
import { resultAsJson, serializeError, type TaskReply, type TaskRequest } from './off-thread.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

parentPort!.on('message', (task: TaskRequest) => {
  void run(task).then((reply) => parentPort!.postMessage(reply));
});

async function run(task: TaskRequest): Promise<TaskReply> {
  try {
    let module = modules.get(task.module);
    if (!module) modules.set(task.module, (module = import(task.module) as Promise<Record<string, unknown>>));
    const fn = (await module)[task.name];
    if (typeof fn !== 'function') throw new Error(`${task.module} has no function ${task.name}`);
    const result = (fn as (...args: readonly unknown[]) => unknown)(...task.args);
    const json = resultAsJson(result);
    return json === null ? { id: task.id, result } : { id: task.id, json };
  } catch (e) {
    return { id: task.id, error: serializeError(e) };
  }
}
