import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { README, withFreshReference } from './readme-config.js';

test('the README configuration reference matches the schema (run `npm run docs:config` after changing it)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(readme, withFreshReference(readme));
});

test('the README shows the quick start commands', () => {
  const readme = readFileSync(README, 'utf8');
  for (const cmd of ['npm install', 'npm start', 'npm test']) assert.ok(readme.includes(cmd), cmd);
});
