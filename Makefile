# Fulcrum's set-up commands (see README.md):
#   make demo   install what is missing, build, run the quickstart experiment and write its report
#   make test   install what is missing and run the test suite

DEBIAN_PACKAGES := liblua5.4-dev libopenblas-dev libsqlite3-dev zlib1g-dev dataset-fashion-mnist pkg-config
FULCRUM := .build/release/fulcrum

.PHONY: deps build demo test clean

## Install the Debian packages that are not installed yet (apt-get; sudo when not root).
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or newer (swift.org)"; exit 1; }

build: deps
	swift build -c release --product fulcrum

demo: build
	$(FULCRUM) run experiments/quickstart.yaml
	$(FULCRUM) report quickstart

test: deps
	swift test

clean:
	rm -rf .build runs
