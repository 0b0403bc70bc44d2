import { isLoopbackHost } from './access.js';
import { getBill, getDevice, listDevices } from './handlers/devices.js';
import { addDevice, revokeDevice } from './handlers/provisioning.js';
import { listReadings } from './handlers/readings.js';
import { statusOperation } from './handlers/status.js';
import { getSink, listSinks } from './handlers/sync.js';
import type { ApiErrorCode } from './errors.js';
import { defineOperation, describeParameters, noParams, type Operation } from './operation.js';

/** Errors any operation may answer with. */
export const COMMON_ERRORS: readonly ApiErrorCode[] = ['INVALID_PARAMETER', 'TOKEN_REQUIRED', 'TOKEN_INVALID', 'INTERNAL'];

const BODY_ERRORS: readonly ApiErrorCode[] = ['INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** GET /api/v1: this table, described (the XML-RPC `system.listMethods` of sheetlog). */
const introspect = defineOperation({
  name: 'operations',
  method: 'GET',
  path: '/api/v1',
  summary: 'List every operation with its parameters, access and error codes (introspection)',
  access: 'read',
  params: noParams,
  body: null,
  errors: [],
  handle: (_input, deps) => ({
    api: 'sheetlog',
    version: deps.version,
    envelope: '{ status: "ok" | "error", result, reason: null | { code, message, details? } }',
    auth: {
      scheme: 'Authorization: Bearer <admin token>',
      adminTokenFile: `${deps.settings.dataDir}/${deps.settings.adminTokenFile}`,
      readsNeedToken: !isLoopbackHost(deps.settings.host),
      access: { read: 'open on a loopback address, admin token otherwise', admin: 'admin token always' },
    },
    operations: OPERATIONS.map(describe),
    other: [
      { path: '/metrics', summary: 'Prometheus text format' },
      { path: '/healthz', summary: 'Liveness: 200 {"status":"ok"} while the gateway runs; never needs a token' },
      { path: '/api/v1/live', summary: 'WebSocket: the dashboard feed (coalesced updates every http.feedIntervalMs)' },
      { path: '/', summary: 'The dashboard' },
    ],
  }),
});

export const OPERATIONS: readonly Operation[] = [
  introspect,
  statusOperation,
  listDevices,
  getDevice,
  getBill,
  addDevice,
  revokeDevice,
  listReadings,
  listSinks,
  getSink,
];

function describe(op: Operation) {
  return {
    name: op.name,
    method: op.method,
    path: op.path,
    summary: op.summary,
    access: op.access,
    parameters: describeParameters(op),
    errors: [...op.errors, ...(op.body ? BODY_ERRORS : []), ...COMMON_ERRORS],
  };
}
