# eks_logs as a service in a container: the static binary that "make build"
# writes (bin/eks_logs, CGO_ENABLED=0) on a distroless static base: no
# shell, no libc, a non-root user. See the README, "eks_logs as a service".
#
#   make build                      # on Linux; elsewhere: GOOS=linux GOARCH=amd64 make -B bin/eks_logs
#   docker build -t eks_logs:$(cat VERSION) .
#
# Pin the base by digest in your registry for reproducible builds.
FROM gcr.io/distroless/static-debian12:nonroot
COPY bin/eks_logs /eks_logs
USER nonroot:nonroot
ENTRYPOINT ["/eks_logs", "run", "--config", "/etc/eks_logs/eks_logs.yaml"]
