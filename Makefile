# osg-build (Go). `make demo` runs the main job on the embedded hub;
# `make test` runs the whole test suite. Both install what they need.

GO      ?= go
BIN     := bin/osg-build
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/osg-htc/osg-build-go/internal/buildinfo.Version=$(VERSION)

.PHONY: all build deps test-deps demo test test-short bench fuzz generate vet fmt clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/osg-build

deps:
	@./scripts/deps.sh

demo: deps build
	@./scripts/demo.sh $(BIN)

test-deps:
	@./scripts/deps.sh --test

test: test-deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) test -count=1 -timeout 20m ./...

test-short:
	$(GO) test -short ./...

bench: deps build
	@./bench/run.sh

fuzz:
	@./scripts/fuzz.sh

generate:
	$(GO) generate ./...

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
