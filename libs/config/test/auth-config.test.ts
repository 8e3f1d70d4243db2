import { commonConfig, ConfigError, loadConfig, z } from '@rampart/config';

describe('AUTH_CLOCK_TOLERANCE_S', () => {
  const schema = z.object({ ...commonConfig });

  it('defaults to 30 seconds and reads whole seconds up to 300', () => {
    expect(loadConfig(schema, {}).AUTH_CLOCK_TOLERANCE_S).toBe(30);
    expect(loadConfig(schema, { AUTH_CLOCK_TOLERANCE_S: '0' }).AUTH_CLOCK_TOLERANCE_S).toBe(0);
    expect(loadConfig(schema, { AUTH_CLOCK_TOLERANCE_S: '300' }).AUTH_CLOCK_TOLERANCE_S).toBe(300);
  });

  it.each(['301', '-1', '1.5', 'soon'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig(schema, { AUTH_CLOCK_TOLERANCE_S: value })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { AUTH_CLOCK_TOLERANCE_S: value })).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
  });
});
