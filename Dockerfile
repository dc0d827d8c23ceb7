# oktaemu: an emulated Okta org in one static binary, FROM scratch.
#
# The build context is a directory holding this file and the binary
# `oktaemu`, built by
#
#	CGO_ENABLED=0 go build -trimpath -tags nomsgpack -ldflags "-s -w" -o <context>/oktaemu ./cmd/oktaemu
#
# (nomsgpack drops gin's unused msgpack codec: the image stays under 20 MB.)
#
# scripts/build-image.sh does both steps (and falls back to `docker import`
# when `docker build` is unavailable); the dockertest helper in
# emulator/emulatortest/container builds the same way. No base image is
# pulled, so the build works offline. The binary makes no outbound TLS
# calls, so the image carries no CA certificates.
#
# Run:  docker run --rm -p 127.0.0.1:8080:8080 oktaemu:dev
#       docker run --rm -p 127.0.0.1:8080:8080 -e OKTAEMU_ENGINE=identity oktaemu:dev
FROM scratch
LABEL org.opencontainers.image.title="oktaemu" \
      org.opencontainers.image.description="Emulated Okta org (Classic and Identity Engine) for tests" \
      org.opencontainers.image.source="https://github.com/oktaemu/oktaemu"
COPY oktaemu /oktaemu
USER 65532:65532
EXPOSE 8080
ENV OKTAEMU_ADDR=0.0.0.0:8080
# No curl in a scratch image: the binary probes itself (health reads
# OKTAEMU_ADDR and maps 0.0.0.0 to 127.0.0.1).
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 CMD ["/oktaemu","health"]
ENTRYPOINT ["/oktaemu","serve"]
