#!/usr/bin/env bash
# Builds the server's container image as an OCI tarball with the .NET SDK's own container support: no Docker daemon,
# no access to mcr.microsoft.com or Docker Hub. The base image is made here from Debian packages (what the server's
# self-contained publish needs: glibc, libstdc++, libgcc, ICU, OpenSSL, zlib, tzdata, CA certificates) and served to
# the SDK by a pull-only registry on localhost, which the SDK speaks plain HTTP to. docs/deploy.md explains it.
#
#   tools/container/build-image.sh        # -> artifacts/container/peft-server.tar.gz (docker/podman load, skopeo, crane)
#
# Needs: Debian 12 apt sources (apt-get download), dpkg-deb, root for ldconfig -r. OUT and PORT override the defaults.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=${OUT:-artifacts/container}
port=${PORT:-5071}
packages=(libc6 libgcc-s1 libstdc++6 libicu72 libssl3 zlib1g tzdata ca-certificates)
step() { echo "== $*"; }

step "base root file system from Debian packages: ${packages[*]}"
rm -rf "$out/debs" "$out/rootfs" "$out/base-layout"
mkdir -p "$out/debs" "$out/rootfs"
(cd "$out/debs" && apt-get download -o APT::Sandbox::User=root "${packages[@]}" >/dev/null)
for deb in "$out"/debs/*.deb; do dpkg-deb -x "$deb" "$out/rootfs"; done
root="$out/rootfs"
mkdir -p "$root"/{etc/ssl/certs,tmp,proc,sys,dev,app,models/model,var/lib/peft,home/app}
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
echo 'include /etc/ld.so.conf.d/*.conf' > "$root/etc/ld.so.conf"
# What ca-certificates' postinst (update-ca-certificates) would write: the bundle of the shipped Mozilla roots.
cat "$root"/usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
ldconfig -r "$root"
rm -rf "$root"/usr/share/{doc,man,info,lintian}

step "OCI image layout of the base"
dotnet build tools/ContainerImage -c Release --nologo -v quiet
peft_oci=tools/ContainerImage/bin/Release/net10.0/peft-oci.dll
dotnet "$peft_oci" layout --rootfs "$root" --out "$out/base-layout" --tag bookworm

step "pull-only registry on localhost:$port"
dotnet "$peft_oci" serve --layout "$out/base-layout" --port "$port" &
registry=$!
trap 'kill "$registry" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://localhost:$port/v2/" >/dev/null && break; sleep 0.2; done

step "dotnet publish -t:PublishContainer (self-contained linux-x64)"
dotnet publish src/Server -c Release -r linux-x64 --self-contained true -t:PublishContainer --nologo \
  -p:ContainerBaseImage="localhost:$port/peft-base:bookworm" \
  -p:ContainerArchiveOutputPath="$PWD/$out/peft-server.tar.gz" \
  -p:TorchSharpNativePatch=always
ls -l "$out/peft-server.tar.gz"
