# Plumb — every target installs what it is missing first.
# Node 24 comes from the `node` devDependency: node_modules/.bin is first on PATH.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
CLUSTER := hack/cluster/cluster.sh
TOOLS := hack/tools/tools.sh

.PHONY: all deps build lint typecheck test test-unit test-full cluster-build cluster-up cluster-down tools demo bench clean browser

all: build

# npm ci only when package-lock.json changed since the last install.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is not installed (install Node.js and npm, any version; Node 24 itself comes from package.json)"; exit 1; }
	npm ci --no-audit --no-fund
	@node --version | grep -q '^v24\.' || { echo "make: node_modules/.bin/node is not Node 24"; exit 1; }
	@touch $@

deps: node_modules/.installed

build: deps
	npm run build --silent

lint: deps
	npm run lint --silent

typecheck: deps
	npm run typecheck --silent

cluster-build:
	$(CLUSTER) build

# kustomize and helm at pinned versions (cached under ~/.cache/plumb/tools/,
# linked into .cache/tools/bin/): Plumb renders overlays and charts with them.
tools:
	$(TOOLS) build

# Headless Chromium for the dashboard's browser tests (Debian package; idempotent).
browser:
	hack/install-chromium.sh

cluster-up:
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

# Everything: lint, types, unit tests, and integration/e2e tests against the
# real local cluster (started once for the run, or reused when already up).
test: deps cluster-build tools browser
	npm run lint --silent
	npm run typecheck --silent
	npm run build --silent
	vitest run

test-unit: deps
	vitest run --project unit

# The slow reliability suite (many crash runs, big repos) on top of `test`.
# The tests that stop the real kube-apiserver run alone afterwards.
test-full: deps cluster-build tools browser build
	PLUMB_TEST_FULL=1 vitest run
	PLUMB_TEST_FULL=1 PLUMB_TEST_APISERVER_RESTART=1 vitest run --project cluster test/integration/reliability/apiserver-faults.test.ts -t "real kube-apiserver"

demo: deps cluster-build tools build
	node --import ./hack/ts-register.mjs hack/demo.ts

bench: deps cluster-build tools build
	node --import ./hack/ts-register.mjs bench/run.ts

clean:
	rm -rf dist .cache/cluster/run
