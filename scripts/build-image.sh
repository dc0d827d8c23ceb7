#!/usr/bin/env bash
# Build the oktaemu Docker image: a static binary in a temporary build
# context plus the repository's Dockerfile (FROM scratch, nothing pulled).
#
#   scripts/build-image.sh [TAG]        # default TAG: oktaemu:dev
#
# If `docker build` fails (no builder available), the image is made with
# `docker import` from a tar holding the binary, with the Dockerfile's USER,
# EXPOSE, ENV, ENTRYPOINT and CMD applied via --change (docker import cannot
# set HEALTHCHECK or LABEL; the fallback image has neither).
#
# Environment: MAX_IMAGE_MB (default 20) fails the build when exceeded;
# FORCE_IMPORT=1 skips `docker build` and uses the fallback.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tag=${1:-oktaemu:dev}
max_mb=${MAX_IMAGE_MB:-20}
export PATH="$PATH:/usr/local/go/bin"

ctx=$(mktemp -d "${TMPDIR:-/tmp}/oktaemu-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT

version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
echo "==> go build ./cmd/oktaemu ($version)"
# nomsgpack drops gin's msgpack codec (unused; ~6 MB of the binary).
CGO_ENABLED=0 go build -trimpath -tags nomsgpack -ldflags "-s -w -X main.version=$version" -o "$ctx/oktaemu" ./cmd/oktaemu
cp Dockerfile "$ctx/Dockerfile"

echo "==> image $tag"

if [ "${FORCE_IMPORT:-}" = 1 ] || ! docker build --quiet -t "$tag" "$ctx"; then
	echo "==> no docker build; falling back to docker import" >&2
	changes=()
	while IFS= read -r line; do
		changes+=(--change "$line")
	done < <(grep -E '^(USER|EXPOSE|ENV|ENTRYPOINT|CMD|WORKDIR) ' Dockerfile)
	tar -C "$ctx" --owner=0 --group=0 --mode=0755 -cf "$ctx/rootfs.tar" oktaemu
	docker import "${changes[@]}" "$ctx/rootfs.tar" "$tag"
fi

size=$(docker image inspect -f '{{.Size}}' "$tag")
mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')
echo "==> image $tag: $size bytes ($mb MB)"
if [ "$size" -gt $((max_mb * 1024 * 1024)) ]; then
	echo "image $tag is larger than $max_mb MB" >&2
	exit 1
fi
