# kubelens: the one entry point for people and CI.
#   make demo    build and run the bundled sample through kubeenrich
#   make test    vet, lint, unit and end-to-end tests, and appcheck on the package
#   make package dist/kubelens-<version>.tgz, for every platform
#   make appcheck check the package as AppInspect would
SHELL := /bin/bash
# pipefail: a failing command on the left of a pipe must fail the target.
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO       ?= go
APP_ID   := kubelens
VERSION  := $(shell cat VERSION)
MODULE   := github.com/kubelens/kubelens
LDFLAGS  := -s -w -X $(MODULE)/src/buildinfo.Version=$(VERSION)
BINARIES := kubeenrich eks_logs
TOOLS    := appcheck apppack
# Bench tools (the pass-through baseline, the harness): built with the
# rest, never packaged (apppack ships appcheck.Binaries only).
BENCH_TOOLS := passthrough kubebench
GO_SRC   := go.mod go.sum VERSION $(shell find src -name '*.go' -not -name '*_test.go')
PACKAGE  := dist/$(APP_ID)-$(VERSION).tgz

.PHONY: build test vet lint unit demo clean fuzz-eks docs bench package appcheck

build: $(addprefix bin/,$(BINARIES) $(TOOLS) $(BENCH_TOOLS))

# Host builds are static (no cgo), like the packaged ones, so that they
# share the build cache with the linux_x86_64 build.
bin/%: $(GO_SRC)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./src/cmd/$*

vet:
	$(GO) vet ./...

# gofmt and staticcheck (pinned as a tool in go.mod) must be clean.
lint:
	@unformatted=$$(gofmt -l src tests); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) tool staticcheck ./...

# The end-to-end tests in tests/ run the binaries in bin/ and check the
# package.
# The setup page's browser test runs on its own, verbosely, so that its
# PASS, or SKIP when this machine has no headless Chromium, shows.
unit: build $(PACKAGE)
	KUBELENS_BIN_DIR=$(CURDIR)/bin KUBELENS_PACKAGE=$(CURDIR)/$(PACKAGE) $(GO) test -count=1 -skip '^TestSetupPage_Browser$$' ./...
	KUBELENS_BIN_DIR=$(CURDIR)/bin KUBELENS_PACKAGE=$(CURDIR)/$(PACKAGE) $(GO) test -count=1 -run '^TestSetupPage_Browser$$' -v ./tests
	$(GO) test -count=1 -race ./src/chunked ./src/searchcmd ./src/enrich ./src/audit

test: vet lint unit appcheck

# Cross-compiled builds, one file target per platform and program: the
# platform folder names are splunkd's (see docs: app.md).
PLATFORMS := linux_x86_64 linux_aarch64 darwin_x86_64 darwin_arm64 windows_x86_64
XBIN      := build/bin
goos_linux_x86_64    := linux
goarch_linux_x86_64  := amd64
goos_linux_aarch64   := linux
goarch_linux_aarch64 := arm64
goos_darwin_x86_64   := darwin
goarch_darwin_x86_64 := amd64
goos_darwin_arm64    := darwin
goarch_darwin_arm64  := arm64
goos_windows_x86_64  := windows
goarch_windows_x86_64 := amd64
exe = $(if $(findstring windows,$(1)),.exe)

define xbuild
$(XBIN)/$(1)/bin/$(2)$(call exe,$(1)): $(GO_SRC)
	@mkdir -p $$(@D)
	GOOS=$(goos_$(1)) GOARCH=$(goarch_$(1)) CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$@ ./src/cmd/$(2)
endef
$(foreach p,$(PLATFORMS),$(foreach b,$(BINARIES),$(eval $(call xbuild,$(p),$(b)))))
XBINS := $(foreach p,$(PLATFORMS),$(foreach b,$(BINARIES),$(XBIN)/$(p)/bin/$(b)$(call exe,$(p))))

APP_SRC  := $(shell find default app lookups -type f 2>/dev/null)

package: $(PACKAGE)

$(PACKAGE): $(XBINS) bin/apppack $(APP_SRC) VERSION
	bin/apppack -root . -bin $(XBIN) -stage build/$(APP_ID) -version $(VERSION) \
	  -modcache "$$($(GO) env GOMODCACHE)" -out $@

appcheck: $(PACKAGE) bin/appcheck
	bin/appcheck $(PACKAGE)

# Short fuzzing of the eks_logs parsers; their seed corpora also run in "unit".
FUZZTIME ?= 15s
fuzz-eks:
	$(GO) test ./src/modinput -run '^$$' -fuzz '^FuzzParseInput$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/modinput -run '^$$' -fuzz '^FuzzParseItems$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/checkpoint -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/eks -run '^$$' -fuzz '^FuzzIsRegion$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/eks -run '^$$' -fuzz '^FuzzPropsSourceExtraction$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/eksconf -run '^$$' -fuzz '^FuzzParseService$$' -fuzztime $(FUZZTIME)

demo: bin/kubeenrich
	bin/kubeenrich replay app/samples/eks_audit_events.jsonl

clean:
	rm -rf bin build dist

# Rewrite the README sections, default/searchbnf.conf,
# app/README/inputs.conf.spec and the setup page's input form, generated
# from the code (field catalogue, options, detections, lookups, eks_logs's
# parameters and service keys).
docs:
	$(GO) test ./src/docgen -run TestGeneratedDocs -update
	$(GO) test ./src/setuppage -run TestGeneratedForm -update

# Benchmarks, not part of test (timings are not tests). The streams of
# 100,000 generated EKS audit events are written once to a temporary
# folder; the Go benchmarks of the hot paths run first (the checkpoint's
# journal for 3,000 pages, so that its compactions count); then kubebench runs
# the pass-through and kubeenrich alternately for ROUNDS rounds, the
# start-up costs, the stdlib Python baseline (where python3 and the team's
# script exist) and eks_logs against the CloudWatch fake, and prints the
# report with issue 9's targets. SAVE=1 also rewrites tests/bench/RESULTS.md;
# without it the tree stays clean.
ROUNDS ?= 5
SAVE   ?=
PYTHON_BASELINE ?= $(CURDIR)/../shared/tools/baseline-srcipclass.py
bench: $(addprefix bin/,kubeenrich eks_logs $(BENCH_TOOLS))
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	bin/kubebench gen -dir "$$tmp"; \
	$(GO) test -run '^$$' -bench . -benchmem ./src/chunked ./src/audit ./src/enrich ./src/modinput ./src/cloudwatch | tee "$$tmp/gobench.txt"; \
	$(GO) test -run '^$$' -bench . -benchtime 3x -benchmem ./src/searchcmd | tee -a "$$tmp/gobench.txt"; \
	$(GO) test -run '^$$' -bench 'PageSave/.*/.*/full' -benchtime 20x ./src/checkpoint | tee -a "$$tmp/gobench.txt"; \
	$(GO) test -run '^$$' -bench 'PageSave/.*/.*/journal' -benchtime 3000x ./src/checkpoint | tee -a "$$tmp/gobench.txt"; \
	bin/kubebench run -dir "$$tmp" -bin bin -rounds $(ROUNDS) -python "$(PYTHON_BASELINE)" -repo . \
	  $(if $(SAVE),-save tests/bench/RESULTS.md -gobench "$$tmp/gobench.txt")
