#!/usr/bin/env bash
# Runs the image built by build-image.sh the way a container runtime would, without one: its layers unpacked into a
# root file system, the image config's entrypoint, user, working directory and environment, the root mounted
# read-only, /tmp a tmpfs, the model directory and the adapter volume bind-mounted, in a private mount and PID
# namespace. Serves until stopped; SIGTERM starts the server's drain. Needs root (unshare, mount, chroot).
#
#   tools/container/run-image.sh [MODEL_DIR] [VOLUME_DIR]     # defaults: models/demo, artifacts/container/volume
#
# EXTRA_ENV="PEFT_Server__ServingPort=50061 ..." adds environment variables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=${OUT:-artifacts/container}
model=$(realpath "${1:-models/demo}")
volume=$(realpath -m "${2:-$out/volume}")
image="$out/image" root="$out/image/rootfs"

rm -rf "$image" && mkdir -p "$root" "$volume"
tar -xf "$out/peft-server.tar.gz" -C "$image"
manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"].split(":")[1])' "$image")
python3 - "$image" "$manifest" > "$image/config.env" <<'PY'
import json, sys
image, manifest = sys.argv[1], sys.argv[2]
blob = lambda d: f"{image}/blobs/sha256/{d.split(':')[1]}"
m = json.load(open(blob("sha256:" + manifest)))
if m.get("mediaType", "").endswith("index.v1+json"):
    m = json.load(open(blob(m["manifests"][0]["digest"])))
for layer in m["layers"]:
    print("LAYER=" + blob(layer["digest"]))
c = json.load(open(blob(m["config"]["digest"])))["config"]
print("USER=" + c["User"])
print("WORKDIR=" + c["WorkingDir"])
print("ENTRYPOINT=" + " ".join(c.get("Entrypoint", []) + c.get("Cmd", [])))
for e in c["Env"]:
    print("ENV=" + e)
PY
while IFS='=' read -r key value; do
  case "$key" in LAYER) tar -xf "$value" -C "$root" ;; esac
done < "$image/config.env"
user=$(sed -n 's/^USER=//p' "$image/config.env")
workdir=$(sed -n 's/^WORKDIR=//p' "$image/config.env")
entrypoint=$(sed -n 's/^ENTRYPOINT=//p' "$image/config.env")
mapfile -t env < <(sed -n 's/^ENV=//p' "$image/config.env")
chown -R "$user:$user" "$volume"
echo "image: entrypoint $entrypoint, user $user, working directory $workdir" >&2

exec unshare --mount --pid --fork --kill-child bash -c '
  set -e
  root=$1 model=$2 volume=$3 user=$4 workdir=$5 entrypoint=$6; shift 6
  mount --bind "$root" "$root" && mount -o remount,bind,ro "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount --bind -o ro "$model" "$root/models/model"
  mount --bind "$volume" "$root/var/lib/peft"
  # chroot, working directory, user and environment exactly as the image config says (the image has no shell).
  exec python3 -c "
import os, sys
root, workdir, user, entrypoint = sys.argv[1:5]
os.chroot(root); os.chdir(workdir)
os.setgroups([]); os.setgid(int(user)); os.setuid(int(user))
argv = entrypoint.split()
os.execve(argv[0], argv, dict(e.split(\"=\", 1) for e in sys.argv[5:]))
" "$root" "$workdir" "$user" "$entrypoint" "$@"
' run-image "$root" "$model" "$volume" "$user" "$workdir" "$entrypoint" "${env[@]}" ${EXTRA_ENV:-}
