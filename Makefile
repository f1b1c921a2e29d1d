# The two commands a newcomer needs are `make demo` and `make test`; both set up first.
# `make help` lists every target from the `## ` comment above it.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
PORT ?= 8080
DATA_DIR ?= data

.PHONY: setup help build-demo embed server demo gallery example-host test lint test-native \
	test-hardening test-alerts test-postgres test-cluster bench-cluster test-browser test-e2e test-backends bench-server deps copy-export bench \
	size-budget package test-package

# The reference server as the demo, gallery and host example run it.
# --require-verification: a new account confirms its address by the link in the dev mailbox.
# --demo-admin-on-public: the demo page's fault and status pickers call the operator API on the
# demo's own port (loopback clients and pages only). Never use it behind a proxy.
SERVE = target/release/auth-server --addr 127.0.0.1:$(PORT) --db $(DATA_DIR)/demo.db \
	  --static-dir dist --locales-dir locales --seed-demo-user --faults --demo-admin-on-public \
	  --require-verification --app-url http://localhost:$(PORT)/ --webauthn-origin http://localhost:$(PORT)

## Installs what is missing: wasm32 target, trunk, wasm-bindgen, browsers, drivers, npm tools.
setup:
	@bash scripts/setup.sh

## Lists every target with its description.
help:
	@awk '/^## /{doc=substr($$0,4); next} \
	  /^[a-zA-Z0-9_-]+:/{if (doc != "") {split($$0, t, ":"); printf "  %-14s %s\n", t[1], doc}} \
	  {doc=""}' $(MAKEFILE_LIST)

## Release build of the demo page into dist/ (with the gallery and the embeddable files).
build-demo: setup
	trunk build --release
	cp dist/index.html dist/gallery.html
	bash scripts/embed.sh

## Release build of the embeddable files into dist/embed/ (stable names).
embed: setup
	bash scripts/embed.sh

## The npm package into dist/package/: the embed files, custom-elements.json, auth-widget.d.ts.
package: setup
	bash scripts/package.sh

## Checks the npm package: its file list (npm pack), manifest, types (tsc), a Node import with
## no DOM, and that the React example bundles (its browser journey is in test-e2e). At most 10 min.
test-package: setup
	timeout 600 bash scripts/test-package.sh

## Release build of the reference auth server (target/release/auth-server).
server:
	cargo build --release -p auth-server

## Builds the widget in release mode and serves the demo with the reference API.
demo: build-demo server
	@echo "Demo: http://localhost:$(PORT)  (account: demo@example.com / correct horse battery staple)"
	@echo "Gallery of every state: http://localhost:$(PORT)/gallery.html"
	@echo "Dev mailbox (the emails the demo would send, with their links): http://localhost:$(PORT)/dev/mailbox"
	@echo "Sign-in with a one-time code: codes@example.com, same password; add the secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP to an authenticator app"
	$(SERVE)

## The gallery alone: every state in every locale, with live copy from locales/.
gallery: build-demo server
	@echo "Gallery: http://127.0.0.1:$(PORT)/gallery.html  (edit locales/*.toml, then reload)"
	$(SERVE)

## A plain HTML page on another origin (:8081) embedding the widget from :8080.
example-host: build-demo server
	@echo "Host page: http://127.0.0.1:8081  (widget and API on :8080)"
	python3 -m http.server 8081 --bind 127.0.0.1 --directory examples/host & \
	  trap 'kill $$!' EXIT; $(SERVE) --allow-origin http://127.0.0.1:8081

## Every check: format, lints (host and wasm32), native and server tests (SQLite and PostgreSQL),
## several instances behind haproxy, alert rules, browser tests, the backend profiles against the
## real servers, the npm package.
test: setup lint test-native test-postgres test-cluster test-hardening test-alerts test-browser test-e2e \
	test-backends size-budget test-package

## Formatting and clippy with -D warnings, for the host and for wasm32.
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p auth-widget --target wasm32-unknown-unknown --all-targets --all-features -- -D warnings

## Native tests of the whole workspace: taxonomy, mapping, copy lint, the server over HTTP.
test-native:
	cargo test --workspace

## The reference server's tests again on PostgreSQL: a throwaway cluster (initdb in a temp dir,
## loopback, removed after) and a new database per test server (scripts/with-postgres.sh).
## Every test target runs the executables of the one workspace build (scripts/cargo-tests.sh).
test-postgres:
	bash scripts/cargo-tests.sh
	timeout 600 bash scripts/with-postgres.sh bash scripts/cargo-tests.sh auth-server

## Three server instances on one throwaway PostgreSQL behind haproxy on loopback
## (server/tests/cluster.rs): sessions, sign-out, locks and the rate limit hold across
## instances; killing one mid-load fails only its requests in flight (about 30 s; at most 2 min).
test-cluster:
	bash scripts/cargo-tests.sh
	timeout 120 bash scripts/with-postgres.sh bash scripts/cargo-tests.sh auth-server:cluster -- --ignored --test-threads 1

## Sign-in throughput, p50/p99 with 1, 2 and 3 instances behind haproxy on PostgreSQL, then 4x
## that load: served, refused with Retry-After, failed (about 2 min; not part of make test).
bench-cluster:
	cargo build --release -p auth-server --bin auth-server --example bench_cluster
	timeout 600 bash scripts/with-postgres.sh cargo run --release -p auth-server --example bench_cluster

## The reference server's slow checks: 300 half-open connections, the connection cap, resident
## memory under 12 s of login load at the default argon2 parameters (about 40 s; at most 2 min).
test-hardening:
	bash scripts/cargo-tests.sh
	timeout 120 bash scripts/cargo-tests.sh auth-server:hardening -- --ignored --test-threads 1

## The alert rules with Prometheus's own tools: promtool checks server/ops/alerts.yml and runs
## its unit tests (alerts.test.yml), then a real Prometheus scrapes a real server through the
## token incident and the session alert must fire in time (about 20 s; at most 2 min).
test-alerts:
	promtool check rules server/ops/alerts.yml
	promtool test rules server/ops/alerts.test.yml
	bash scripts/cargo-tests.sh
	timeout 120 bash scripts/cargo-tests.sh auth-server:alerts -- --ignored

## wasm-bindgen browser tests in headless Chromium and Firefox (BROWSERS=chromium for one).
test-browser:
	bash scripts/browser-tests.sh

## End-to-end journeys through the built demo in headless Chromium and Firefox (e2e/).
test-e2e:
	bash scripts/e2e.sh

## Login throughput, p50/p99 and resident memory at the default argon2 parameters, then 4x that
## load: how many are served, how soon and with which Retry-After the rest are refused.
bench-server:
	cargo run --release -p auth-server --example bench

## Reports direct dependencies behind their latest release (needs the registry).
deps:
	cargo update --workspace --dry-run --verbose 2>&1 | grep -Ei 'behind|available|Updating' || echo "cargo: all dependencies at their latest compatible release"
	npm outdated || true

## Writes all copy (key, locale, text, where shown) to target/copy-export/copy.csv and copy.md.
copy-export:
	cargo run --quiet --example copy_export

## Release embed sizes (raw / gzip / brotli) and headless-Chromium timings against a plain-HTML baseline.
bench: setup
	bash scripts/bench.sh

## Fails when the brotli total of dist/embed is over the budget in size-budget.toml (builds it if stale).
size-budget: setup
	bash scripts/size-budget.sh

## The backend profiles against real better-auth, django-allauth and Firebase Auth emulator
## servers (installed by setup into backends/, started on free ports by scripts/backends.sh).
test-backends: setup
	bash scripts/cargo-tests.sh
	timeout 600 bash scripts/cargo-tests.sh auth-widget-e2e:backends -- --ignored --test-threads=1
