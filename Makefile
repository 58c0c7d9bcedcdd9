# kubelens: the one entry point for people and CI.
#   make demo    build and run the bundled sample through kubeenrich
#   make test    vet, lint, unit and end-to-end tests
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
GO_SRC   := go.mod go.sum VERSION $(shell find src -name '*.go' -not -name '*_test.go')

.PHONY: build test vet lint unit demo clean fuzz-eks docs bench

build: $(addprefix bin/,$(BINARIES))

bin/%: $(GO_SRC)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./src/cmd/$*

vet:
	$(GO) vet ./...

# gofmt and staticcheck (pinned as a tool in go.mod) must be clean.
lint:
	@unformatted=$$(gofmt -l src tests); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) tool staticcheck ./...

# The end-to-end tests in tests/ run the binaries in bin/.
unit: build
	KUBELENS_BIN_DIR=$(CURDIR)/bin $(GO) test -count=1 ./...

test: vet lint unit

# Short fuzzing of the eks_logs parsers; their seed corpora also run in "unit".
FUZZTIME ?= 15s
fuzz-eks:
	$(GO) test ./src/modinput -run '^$$' -fuzz '^FuzzParseInput$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/modinput -run '^$$' -fuzz '^FuzzParseItems$$' -fuzztime $(FUZZTIME)
	$(GO) test ./src/checkpoint -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)

demo: bin/kubeenrich
	bin/kubeenrich replay app/samples/eks_audit_events.jsonl

clean:
	rm -rf bin build dist

# Rewrite the README sections and default/searchbnf.conf generated from
# the code (field catalogue, options, detections, lookups).
docs:
	$(GO) test ./src/docgen -run TestGeneratedDocs -update
