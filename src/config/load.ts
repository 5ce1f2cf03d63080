import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, ENV_NAMES, type Config } from './schema.js';

/**
 * Reads Fedlink's settings from an environment (default `process.env`) — the only reader of it.
 * Empty variables count as unset. Values are converted to the schema's types and defaults applied.
 * @throws Error naming the variable when a value does not fit the schema.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  Object.assign(raw, overrides);
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length > 0) {
    const e = errors[0];
    const key = e.path.replace(/^\//, '') as keyof Config;
    throw new Error(`Invalid setting ${ENV_NAMES[key] ?? key}: ${e.message}`);
  }
  return converted as Config;
}
