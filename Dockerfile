# syntax=docker/dockerfile:1
# Build stage: a static binary from the module.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/stagecoach ./cmd/stagecoach \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/stagecoach-load ./cmd/stagecoach-load \
 && mkdir -p /out/data

# Runtime stage: distroless, non-root, CA certificates and tzdata included.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stagecoach /out/stagecoach-load /usr/local/bin/
# The embedded store's directory, writable by the non-root user (uid 65532).
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV STAGECOACH_DB=/data/stagecoach.db HTTP_ADDR=:8080 LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/stagecoach"]
