import { commonConfig, ConfigError, loadConfig, z } from '@rampart/config';

describe('configuration', () => {
  const schema = z.object({ ...commonConfig });

  it('applies defaults', () => {
    expect(loadConfig(schema, {})).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', MONGODB_DB: 'rampart', METRICS_PORT: 0 });
  });

  it('names every bad variable', () => {
    try {
      loadConfig(schema, { MONGODB_URI: 'postgres://x', METRICS_PORT: 'abc' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      expect(text).toMatch(/MONGODB_URI: .*mongodb/);
      expect(text).toMatch(/METRICS_PORT: .*"abc"/);
    }
  });

  it('bounds every MongoDB driver timeout by default, and refuses 0 (the driver reads it as no timeout), naming the variable', () => {
    expect(loadConfig(schema, {})).toMatchObject({ MONGODB_SERVER_SELECTION_TIMEOUT_MS: 5_000, MONGODB_CONNECT_TIMEOUT_MS: 5_000, MONGODB_SOCKET_TIMEOUT_MS: 60_000 });
    expect(() => loadConfig(schema, { MONGODB_SOCKET_TIMEOUT_MS: '0' })).toThrow(/MONGODB_SOCKET_TIMEOUT_MS: .*"0"/);
    expect(() => loadConfig(schema, { MONGODB_SERVER_SELECTION_TIMEOUT_MS: 'soon' })).toThrow(/MONGODB_SERVER_SELECTION_TIMEOUT_MS/);
  });
});
