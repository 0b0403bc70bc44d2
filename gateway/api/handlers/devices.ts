import { z } from 'zod';
import { ApiError } from '../errors.js';
import { defineOperation, noParams } from '../operation.js';
import { allDeviceViews, deviceView } from '../views.js';

export const deviceId = z.string().describe('Device id, [A-Za-z0-9_.-]{1,64}');

export const listDevices = defineOperation({
  name: 'devices.list',
  method: 'GET',
  path: '/api/v1/devices',
  summary: 'Every registered device with its status and statistics, in id order',
  access: 'read',
  params: noParams,
  body: null,
  errors: [],
  handle: (_input, deps) => ({ devices: allDeviceViews(deps) }),
});

export const getDevice = defineOperation({
  name: 'devices.get',
  method: 'GET',
  path: '/api/v1/devices/:id',
  summary: 'One device: status, board, firmware, readings, NAK/ERR counts by code, connected time, clock error, drift and round trip',
  access: 'read',
  params: z.object({ id: deviceId }).strict(),
  body: null,
  errors: ['DEVICE_UNKNOWN'],
  handle: ({ params }, deps) => {
    const d = deps.store.devices.get(params.id);
    if (d === undefined) throw new ApiError('DEVICE_UNKNOWN', `no device ${JSON.stringify(params.id)}`);
    const connected = deps.sessions.devices().includes(d.id);
    return deviceView(d, connected, deps.timers.now(), deps.settings.silentAfterMs);
  },
});
