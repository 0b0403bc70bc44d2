import { z } from 'zod';
import { ApiError } from '../errors.js';
import { defineOperation, noParams } from '../operation.js';
import { sinkViews } from '../views.js';

export const listSinks = defineOperation({
  name: 'sync.list',
  method: 'GET',
  path: '/api/v1/sync',
  summary: 'Sync status of every sink: state, pending rows, oldest pending age (lag), last push, last error, quota use, 429 count',
  access: 'read',
  params: noParams,
  body: null,
  errors: [],
  handle: (_input, deps) => ({ sinks: sinkViews(deps) }),
});

export const getSink = defineOperation({
  name: 'sync.get',
  method: 'GET',
  path: '/api/v1/sync/:sink',
  summary: 'Sync status of one sink',
  access: 'read',
  params: z.object({ sink: z.string().describe('Sink name') }).strict(),
  body: null,
  errors: ['SINK_UNKNOWN'],
  handle: ({ params }, deps) => {
    const sink = sinkViews(deps).find((s) => s.name === params.sink);
    if (sink === undefined) throw new ApiError('SINK_UNKNOWN', `no sink ${JSON.stringify(params.sink)}`);
    return sink;
  },
});
