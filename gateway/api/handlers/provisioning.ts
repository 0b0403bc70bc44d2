import { z } from 'zod';
import { StoreError } from '../../store/errors.js';
import { ApiError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { deviceId } from './devices.js';

/** Store errors of provisioning keep their codes in the API. */
function translated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StoreError && (e.code === 'DEVICE_EXISTS' || e.code === 'DEVICE_UNKNOWN' || e.code === 'DEVICE_ID_INVALID')) {
      throw new ApiError(e.code, e.message);
    }
    throw e;
  }
}

export const addDevice = defineOperation({
  name: 'devices.add',
  method: 'POST',
  path: '/api/v1/devices',
  summary: 'Provision a device (like `sheetlog devices add`); the reply carries its new token, shown once',
  access: 'admin',
  params: z.object({}).strict(),
  body: z.object({ id: deviceId }).strict(),
  created: true,
  errors: ['DEVICE_ID_INVALID', 'DEVICE_EXISTS'],
  handle: ({ body }, deps) => {
    const token = translated(() => deps.provisioning.add(body.id));
    deps.log.info({ device: body.id, via: 'api' }, 'device provisioned');
    return { id: body.id, token };
  },
});

export const revokeDevice = defineOperation({
  name: 'devices.revoke',
  method: 'POST',
  path: '/api/v1/devices/:id/revoke',
  summary: 'Revoke a device (like `sheetlog devices revoke`) and disconnect it now; idempotent',
  access: 'admin',
  params: z.object({ id: deviceId }).strict(),
  body: null,
  errors: ['DEVICE_UNKNOWN'],
  handle: ({ params }, deps) => {
    translated(() => deps.provisioning.revoke(params.id));
    deps.log.info({ device: params.id, via: 'api' }, 'device revoked');
    return { id: params.id, revoked: true };
  },
});
