#!/usr/bin/env bash
# Provides what `backend: {kind: container}` needs, once per machine: a container runtime and the
# pinned MLflow image. Idempotent; prints what it did and how long each step took.
#  - Docker or Podman present: use it. Neither: install rootful Podman (Debian/Ubuntu, root) with
#    runc, cgroupfs, the file events logger and ulimits the runtime may set (a machine without
#    CAP_SYS_RESOURCE cannot raise them to Podman's defaults).
#  - Image: reuse it when present; else pull ghcr.io/mlflow/mlflow:v<version>; when no registry answers,
#    build an equivalent image locally from Debian packages (debootstrap) and PyPI wheels downloaded by
#    the host's pip (cached under TRACKBENCH_CACHE, outside the clone), tagged with the version.
# Prints the image's name on its last line. Exit 3 when the environment cannot be provided.
set -euo pipefail
version="${TRACKBENCH_MLFLOW_VERSION:-3.17.2}"
cache="${TRACKBENCH_CACHE:-$HOME/.cache/trackbench}"
official="ghcr.io/mlflow/mlflow:v$version"
local_image="localhost/trackbench-mlflow:$version"
python_version=3.11 # bookworm's python3, the image's interpreter

step_started=0
step() {
  step_started=$(date +%s%N)
  echo "setup:container: $*" >&2
}
done_step() {
  local ms=$((($(date +%s%N) - step_started) / 1000000))
  printf 'setup:container:   %s (%d.%d s)\n' "$1" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}
fail() {
  echo "setup:container: $*" >&2
  exit 3
}

# ---- runtime -------------------------------------------------------------------------------------
runtime=""
if [ -n "${TRACKBENCH_CONTAINER_RUNTIME:-}" ]; then
  runtime="$TRACKBENCH_CONTAINER_RUNTIME"
elif command -v podman >/dev/null 2>&1; then
  runtime=podman
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  runtime=docker
fi

if [ -z "$runtime" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "no container runtime: install Docker or Podman (this script installs Podman only on Debian/Ubuntu as root)"
  fi
  step "installing podman, runc, debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends \
    podman runc containernetworking-plugins iptables debootstrap ca-certificates >&2 ||
    fail "apt-get install podman runc debootstrap failed"
  runtime=podman
  done_step "podman $(podman --version | awk '{print $3}') installed"
fi

configure_podman() {
  # Rootful Podman on machines without systemd or CAP_SYS_RESOURCE (see the README's container section).
  local conf=/etc/containers/containers.conf marker="# written by trackbench setup:container"
  [ "$(id -u)" = 0 ] || return 0
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    echo "setup:container: keeping the existing $conf (not written by trackbench)" >&2
    return 0
  fi
  # Limits the runtime may set: no higher than this process's own hard limits (Podman lowers its
  # process limit to kernel.pid_max).
  local nofile nproc pidmax
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nofile" -gt 1048576 ] && nofile=1048576
  nproc=$(ulimit -Hu)
  pidmax=$(cat /proc/sys/kernel/pid_max)
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pidmax" ]; } && nproc=$pidmax
  local cgroup_manager=cgroupfs events_logger=file
  if [ -d /run/systemd/system ]; then cgroup_manager=systemd events_logger=journald; fi
  local want
  want=$(
    cat <<EOF
$marker
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "$cgroup_manager"
events_logger = "$events_logger"
EOF
  )
  if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
    mkdir -p /etc/containers
    printf '%s\n' "$want" >"$conf"
    echo "setup:container: wrote $conf (runc, $cgroup_manager, nofile=$nofile, nproc=$nproc)" >&2
  fi
}
[ "$runtime" = podman ] && configure_podman

image_exists() { "$runtime" image inspect "$1" >/dev/null 2>&1; }

# ---- image -----------------------------------------------------------------------------------------
for candidate in "${TRACKBENCH_MLFLOW_IMAGE:-}" "$official" "$local_image"; do
  if [ -n "$candidate" ] && image_exists "$candidate"; then
    echo "setup:container: $runtime has $candidate (nothing to do)" >&2
    echo "$candidate"
    exit 0
  fi
done

step "pulling $official"
if timeout 180 "$runtime" pull -q "$official" >&2 2>/dev/null; then
  done_step "pulled"
  echo "$official"
  exit 0
fi
done_step "no registry answered; building $local_image locally"

[ "$(id -u)" = 0 ] || fail "building the image needs root (debootstrap, chroot); or pull $official elsewhere"
command -v debootstrap >/dev/null 2>&1 || {
  command -v apt-get >/dev/null 2>&1 || fail "debootstrap missing and no apt-get to install it"
  step "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
  done_step "installed"
}

wheels="$cache/wheels/mlflow-$version-cp${python_version/./}"
if [ ! -f "$wheels/.trackbench-ok" ]; then
  step "downloading mlflow $version wheels for CPython $python_version with the host's pip (once per machine)"
  rm -rf "$wheels"
  mkdir -p "$wheels"
  "${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    --python-version "$python_version" --implementation cp --abi "cp${python_version/./}" \
    $(for v in 5 12 17 24 28 31 34 35 36; do printf -- '--platform manylinux_2_%s_x86_64 ' "$v"; done) \
    "mlflow==$version" -d "$wheels" >&2
  touch "$wheels/.trackbench-ok"
  done_step "$(find "$wheels" -name '*.whl' | wc -l) wheels, $(du -sh "$wheels" | cut -f1)"
else
  echo "setup:container: reusing $(find "$wheels" -name '*.whl' | wc -l) wheels in $wheels" >&2
fi

build=$(mktemp -d "${TMPDIR:-/tmp}/trackbench-image-XXXXXX")
root="$build/rootfs"
trap 'rm -rf --one-file-system "$build"' EXIT

mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '/^deb .*debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
step "debootstrap bookworm (minbase + python3, venv, tini) from $mirror"
debootstrap --variant=minbase --include=python3,python3-venv,tini bookworm "$root" "$mirror" >"$build/debootstrap.log" 2>&1 ||
  fail "debootstrap failed; last lines: $(tail -n 3 "$build/debootstrap.log" | tr '\n' ' ')"
done_step "root file system ready ($(du -sh --one-file-system "$root" | cut -f1))"

step "installing mlflow $version offline in the image (chroot, wheels from the host)"
mkdir -p "$root/tmp/wheels"
cp "$wheels"/*.whl "$root/tmp/wheels/"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh -ec "
  python3 -m venv /opt/mlflow
  /opt/mlflow/bin/pip install --quiet --no-index --find-links /tmp/wheels 'mlflow==$version'
  rm -rf /tmp/wheels /root/.cache
  # The tracking schema, created once here instead of at every start (5-6 s).
  /opt/mlflow/bin/python -c \"from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as S; \
S('sqlite:////tmp/mlflow.db', '/tmp/artifacts')\"
  /opt/mlflow/bin/mlflow --version
" >"$build/install.log" 2>&1 || fail "installing mlflow in the image failed; last lines: $(tail -n 3 "$build/install.log" | tr '\n' ' ')"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
done_step "$(tail -n 1 "$build/install.log")"

step "importing the root file system as $local_image"
tar -C "$root" --numeric-owner -c . | "$runtime" import \
  --change 'ENV PATH=/opt/mlflow/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
  --change 'CMD ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000"]' \
  --change 'EXPOSE 5000' \
  --change "LABEL org.trackbench.mlflow-version=$version" \
  - "$local_image" >&2
done_step "$("$runtime" image inspect --format '{{.Size}}' "$local_image" | awk '{printf "%.0f MB", $1 / 1e6}')"
echo "$local_image"
