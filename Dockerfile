# syntax=docker/dockerfile:1
# Build stage: a static binary from the module (the service only: the load
# tool stays out of the image).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/stagecoach ./cmd/stagecoach \
 && mkdir -p /out/data

# Runtime stage: distroless, non-root, CA certificates and tzdata included.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stagecoach /usr/local/bin/stagecoach
# The embedded store's directory, writable by the non-root user (uid 65532).
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV STAGECOACH_DB=/data/stagecoach.db HTTP_ADDR=:8080 LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
# `stagecoach health` is the binary itself (no shell, curl or wget in
# distroless): GET /healthz on HTTP_ADDR with a 2 s timeout.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/stagecoach", "health"]
ENTRYPOINT ["/usr/local/bin/stagecoach"]
# The service; it exits 2 naming SLACK_BOT_TOKEN / LARK_APP_ID when neither
# is set. `docker run -it IMAGE --user me` (no command) gives the console.
CMD ["serve"]
