#!/usr/bin/env bash
# Installs the real tools the test suite checks output with, when missing:
#   promtool                      (Debian: prometheus)
#   prometheus-blackbox-exporter  (Debian: prometheus-blackbox-exporter)
#   kubectl                       (Debian: kubernetes-client; `kubectl kustomize` works offline)
#   script                        (Debian: util-linux; runs `k8smon init` in a pseudo-terminal)
#   openssl                       (Debian: openssl; a self-signed certificate for the kubelet stand-in)
#   amtool                        (Debian: prometheus-alertmanager; `amtool check-config` on the rendered Alertmanager config)
#   python3 snappy module         (Debian: python3-snappy; libsnappy, an independent check of the remote_write compressor)
# A tool that cannot be installed is an error: the suite never skips a check.
set -euo pipefail

declare -A package_for=(
  [promtool]=prometheus
  [prometheus-blackbox-exporter]=prometheus-blackbox-exporter
  [kubectl]=kubernetes-client
  [script]=util-linux
  [openssl]=openssl
  [amtool]=prometheus-alertmanager
)

missing=()
for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_for[$tool]}")
done
/usr/bin/python3 -c 'import snappy' >/dev/null 2>&1 || missing+=(python3-snappy)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing test tools: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt_get=(sudo apt-get)
else
  echo "error: missing ${missing[*]} and not root; install them with apt-get (Debian/Ubuntu)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool still missing after installing ${package_for[$tool]}" >&2; exit 1; }
done
/usr/bin/python3 -c 'import snappy' >/dev/null 2>&1 || { echo "error: python3 module snappy still missing after installing python3-snappy" >&2; exit 1; }
