/**
 * k8smon's embedded runtime: the parts of an agent that decide what gets
 * scraped. It reads agent configs and cluster objects and never imports the
 * render layer.
 */
export { expandEnv, ExpandEnvError, type EnvLookup } from './agent-config/expand-env.js';
