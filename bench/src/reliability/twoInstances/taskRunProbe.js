/*
 * Preloaded (`--require`, through NODE_OPTIONS) into each backend R8
 * starts: records every run of a scheduled task as a line appended to
 * OPSHUB_TASK_RUN_LOG, `{"instance","taskId","scope","at"}`, so the row
 * counts runs per task, tick and instance. Backstage's scheduler counts each
 * run it starts on the OpenTelemetry counter `backend_tasks.task.runs.count`
 * (`result: started`); this installs the process's meter provider, which
 * no one else does in packages/backend, with that one counter observed and
 * every other instrument a no-op. Nothing the backend does changes. Plain
 * CommonJS so it loads before any transpiler.
 */
'use strict';

const fs = require('node:fs');

const LOG = process.env.OPSHUB_TASK_RUN_LOG;
const INSTANCE = process.env.OPSHUB_TASK_RUN_INSTANCE ?? String(process.pid);
const RUNS = 'backend_tasks.task.runs.count';

if (LOG) {
  // The copy of the API the backend's scheduler uses.
  const api = require(require.resolve('@opentelemetry/api', {
    paths: [require.resolve('@backstage/backend-defaults')],
  }));
  const noop = api.createNoopMeter();
  const meter = Object.create(noop);
  meter.createCounter = (name, options) => {
    if (name !== RUNS) return noop.createCounter(name, options);
    return {
      add(_value, attributes) {
        if (attributes?.result !== 'started') return;
        const line = JSON.stringify({
          instance: INSTANCE,
          taskId: attributes.taskId,
          scope: attributes.scope,
          at: Date.now(),
        });
        fs.appendFileSync(LOG, `${line}\n`);
      },
    };
  };
  api.metrics.setGlobalMeterProvider({ getMeter: () => meter });
}
