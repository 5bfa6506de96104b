import { describe, expect, test } from 'vitest';
import {
  checkAuthMode, isLoopbackHost, isLoopbackHostHeader,
} from '../../lib/auth/authMode.js';
import { authModeFrom } from '../../lib/config.js';

describe('ML_AUTH', () => {
  test.each([
    [undefined, 'on'], ['', 'on'], ['on', 'on'], ['ON', 'on'],
    ['off', 'off'], [' Off ', 'off'],
  ])('reads %j as %s', (value, mode) => {
    expect(authModeFrom({ ML_AUTH: value })).toBe(mode);
  });

  test('refuses any other value rather than guess', () => {
    expect(() => authModeFrom({ ML_AUTH: 'false' }))
      .toThrow("ML_AUTH must be 'on' or 'off', got 'false'");
  });
});

describe('loopback hosts', () => {
  test.each([
    '127.0.0.1', '127.255.255.254', '127.1.2.3', '::1', '[::1]',
    '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  test.each([
    '0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost', '192.168.1.5',
    '::ffff:10.0.0.1', '',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('Host headers that name this machine', () => {
  test.each([
    'localhost', 'LocalHost', 'localhost:9200', '127.0.0.1', '127.0.0.1:80',
    '127.9.8.7:65535', '[::1]', '[::1]:9200', '[0:0:0:0:0:0:0:1]:1',
  ])('%s does', (header) => {
    expect(isLoopbackHostHeader(header)).toBe(true);
  });

  test.each([
    // Names a page's owner may point at 127.0.0.1, and other machines.
    'evil.example', 'localhost.evil.example', 'evil.localhost.example',
    '127.0.0.1.nip.io', 'localhost.', '10.0.0.1:9200', '0.0.0.0', '[::]',
    // Not Host's grammar: IPv6 without brackets, a port that is no number.
    '::1', 'localhost:http', 'localhost:', '[::1', '127.0.0.1:9200:1', '',
  ])('%j does not', (header) => {
    expect(isLoopbackHostHeader(header)).toBe(false);
  });
});

describe('checking the mode against the host', () => {
  test('allows checks on anywhere', () => {
    expect(() => checkAuthMode('on', '0.0.0.0')).not.toThrow();
  });

  test('allows no checks on loopback', () => {
    expect(() => checkAuthMode('off', '127.0.0.1')).not.toThrow();
  });

  test('refuses no checks on every interface, naming the fix', () => {
    expect(() => checkAuthMode('off', '0.0.0.0')).toThrow(
      /^ML_AUTH=off is refused on host 0\.0\.0\.0: .* set ML_AUTH=on\.$/);
  });
});
