/** Library entry point: the render pipeline, for programs that embed k8smon. */
export { renderBundle, type Bundle } from './pipeline.js';
export { resolveProfile, type ProfileSources, type ResolvedProfile } from './profile/resolve.js';
export { profileSchema } from './profile/schema.js';
export type { Profile } from './profile/types.js';
export { toDirectoryFiles, toJsonList, toYamlStream } from './render/serialize.js';
export { K8smonError, InvalidInputError, ExitCode, type InputProblem } from './errors.js';
export { runbooksMarkdown } from './rules/runbooks.js';
