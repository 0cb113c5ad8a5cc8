// For `node --import`: reports on stderr, as `k8smon-loaded <path under dist/>`, every k8smon module the process loads.
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url);
