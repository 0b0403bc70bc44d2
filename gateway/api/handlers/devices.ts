import { z } from 'zod';
import { BillError } from '../../billing/bill.js';
import { MONTH_PATTERN } from '../../billing/months.js';
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

export const getBill = defineOperation({
  name: 'devices.bill',
  method: 'GET',
  path: '/api/v1/devices/:id/bill',
  summary: 'A device\'s bill for a billing month (default: this month, to date): consumption, cost by tier, tier reached, fixed charge, total',
  access: 'read',
  params: z.object({ id: deviceId, month: z.string().regex(MONTH_PATTERN, 'a month: YYYY-MM').optional().describe('Billing month YYYY-MM (default: the current one)') }).strict(),
  body: null,
  errors: ['DEVICE_UNKNOWN', 'BILLING_OFF'],
  handle: ({ params }, deps) => {
    if (!deps.bills?.enabled) throw new ApiError('BILLING_OFF', 'no bills: billing.field is not configured');
    if (deps.store.devices.get(params.id) === undefined) throw new ApiError('DEVICE_UNKNOWN', `no device ${JSON.stringify(params.id)}`);
    try {
      return deps.bills.bill(params.id, params.month, deps.timers.now());
    } catch (e) {
      if (e instanceof BillError) throw new ApiError(e.code === 'BILLING_OFF' ? 'BILLING_OFF' : 'INVALID_PARAMETER', e.message);
      throw e;
    }
  },
});
