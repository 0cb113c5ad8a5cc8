// Module hooks registered by record-loads.mjs.
export async function load(url, context, next) {
  const at = url.indexOf('/dist/');
  if (url.startsWith('file:') && at !== -1) process.stderr.write(`k8smon-loaded ${url.slice(at + '/dist/'.length)}\n`);
  return next(url, context);
}
