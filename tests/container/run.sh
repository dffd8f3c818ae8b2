#!/usr/bin/env bash
# The container test: builds docker/Dockerfile with Debian's podman, without a
# Docker daemon, and runs tests/container/test_image.py against the image
# (healthy, S3 + SQS + Lambda flow, non-root, docker/README.md's examples).
#
# The base image the Dockerfile names (debian:bookworm-slim) is made here with
# debootstrap, trimmed as Debian's slim images are, and imported under that
# name, so the same Dockerfile serves Docker users unchanged. Quirks of the
# hosts this runs on, each handled here: podman runs containers with runc
# (crun refuses hybrid cgroups); containers.conf's default_ulimits stay under
# the host's hard limits; images are built with --format docker (the OCI
# format drops HEALTHCHECK); `podman healthcheck run` is called explicitly
# (no systemd schedules it). Containers use host networking on loopback only.
#
# Needs root (CI runs it as root). Installs podman, runc, debootstrap and
# python3-yaml when missing. Prints its wall time and one closing line
# "container: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
started=$(date +%s)
IMAGE=localhost/cloudless-test:latest
BASE=debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

finish() { # passed failed
  echo "container test wall time: $(( $(date +%s) - started ))s"
  echo "container: $1 passed, $2 failed"
  [ "$2" -eq 0 ]
  exit $?
}

if [ "$(id -u)" -ne 0 ]; then
  echo "the container test needs root (podman rootful, debootstrap)"; finish 0 1
fi

missing=()
for p in podman runc debootstrap python3-yaml; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || { echo "cannot install ${missing[*]}"; finish 0 1; }
fi

work=$(mktemp -d /tmp/cloudless-container-XXXXXX)
trap 'rm -rf "$work"' EXIT
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
[ "$hard_nofile" = unlimited ] && hard_nofile=1048576
[ "$hard_nproc" = unlimited ] && hard_nproc=32768
nofile=$(( hard_nofile < 20000 ? hard_nofile : 20000 ))
nproc=$(( hard_nproc < 32768 ? hard_nproc : 32768 ))
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf"

if ! podman image exists "$BASE"; then
  echo "== base image $BASE from debootstrap ($MIRROR)"
  rootfs="$work/rootfs"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log"; echo "debootstrap failed"; finish 0 1
  fi
  # As Debian's slim images: no documentation, manuals or locales, now or
  # in what apt installs later; no package lists or caches.
  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  if ! tar -C "$rootfs" -c . | podman import - "$BASE" >/dev/null; then
    echo "cannot import the base image"; finish 0 1
  fi
  rm -rf "$rootfs"
fi

echo "== podman build (docker/Dockerfile)"
build_started=$(date +%s)
if ! podman build --network host --format docker --pull=never -f docker/Dockerfile -t "$IMAGE" . \
    >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log"; echo "image build failed"; finish 0 1
fi
echo "built in $(( $(date +%s) - build_started ))s"

/usr/bin/python3 tests/container/test_image.py "$IMAGE" | tee "$work/test.log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/test.log" | tail -n 1)
if [ -z "$line" ]; then
  echo "test_image.py printed no summary"; finish 0 1
fi
finish "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
