# Switchyard's entry points. `make test` works on a fresh machine: it installs everything it needs.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
BIN := node_modules/.bin

.PHONY: all deps test lint typecheck test-unit test-integration test-e2e build install demo demo-fleet sandbox bench clean

all: test

# --- dependencies -----------------------------------------------------------------------------------
# npm ci only when the lockfile changed; moto, schemathesis, chromium, the Go-built servers and Helm are
# installed or cached by their scripts.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

deps: node_modules/.installed
	tools/install-moto.sh >/dev/null
	tools/install-schemathesis.sh >/dev/null
	tools/build-kube.sh >/dev/null
	tools/build-helm.sh >/dev/null
	tools/install-chromium.sh

# --- checks -------------------------------------------------------------------------------------------
lint: node_modules/.installed
	$(BIN)/biome ci .

typecheck: node_modules/.installed
	$(BIN)/tsc -p tsconfig.json --noEmit

test-unit: node_modules/.installed
	$(BIN)/vitest run --project unit

test-integration: deps
	$(BIN)/vitest run --project integration

test-e2e: deps build
	$(BIN)/vitest run --project e2e

# Lint, typecheck, build (the CLI tests run the built CLI), then every test project: unit, crash,
# integration against moto and kube-apiserver.
test: deps lint typecheck build
	$(BIN)/vitest run

build: node_modules/.installed
	$(BIN)/tsc -p tsconfig.build.json
	chmod +x dist/src/cli/main.js

# make install: `switchyard` on the PATH ({npm prefix}/bin/switchyard → dist/src/cli/main.js), so the
# commands the demo prints work as printed; later builds need no reinstall.
install: build
	npm link --no-audit --no-fund

# --- trying it by hand ---------------------------------------------------------------------------------
# make demo: the main job end to end on this machine: sandbox, controller process, a full promotion,
# a rollback, a summary; then everything stops (KEEP=1 leaves it running until Ctrl-C).
demo: deps build
	$(BIN)/tsx test/env/demo.ts $(if $(KEEP),--keep,)

# make demo-fleet: a fleet of six platforms upgraded in waves (dev → prod-canary → prod) with the fleet
# CLI: strategies, plan, start, status --watch, a stage approval; the stored timeline as a summary.
demo-fleet: deps build
	$(BIN)/tsx test/env/demo-fleet.ts $(if $(KEEP),--keep,)

# make bench: every figure of bench/ (each script starts the sandbox it needs), side by side with its
# baseline; BENCH=p4 runs only the scripts whose names contain p4, BENCH_RUNS=N repeats more than 5 times.
bench: deps build
	$(BIN)/tsx bench/run.ts $(BENCH)

# make sandbox: start the servers and keep them until Ctrl-C, for debugging.
sandbox: deps
	$(BIN)/tsx test/env/sandbox.ts

clean:
	rm -rf dist coverage .cache/env-runs
