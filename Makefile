# Encore build: plain make + pkg-config. Everything built lands under build/ (or build/asan/).
#   make          build build/encore
#   make test     build and run unit + end-to-end tests (ends with "N passed, N failed, N skipped")
#   make test-slow  the slow tier (tests/slow/: the 100,000-message crash test); CI runs it
#   make asan     the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo     install what is missing, build, generate a demo shop, import and score it, write
#                 its HTML report (demo/report.html), start a sample campaign and print the
#                 console's URL and a demo login
#   make fuzz     build the libFuzzer targets (clang) and run each briefly on its corpus
#   make deps     install missing Debian packages (scripts/install-deps)
#   make format   apply .clang-format to every C file; make format-check fails when one differs
#   make playbooks  regenerate src/campaign/playbooks.c from src/campaign/playbooks/*.json
#   make utf8-tables  regenerate src/base/utf8_tables.h (display widths) from Python's unicodedata
#   make web      rebuild the console (web/, needs Node) and regenerate src/server/webassets.c
#   make test-browser  the console in Debian's chromium (tests/browser; needs Node)

PKGS     := sqlite3 jansson gsl libcurl libsodium libmicrohttpd libcrypto
BUILD    ?= build
CC       ?= cc
OPT      ?= -O2 -g
CFLAGS   += -std=gnu11 $(OPT) -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
            -D_GNU_SOURCE -Isrc -Itests -MMD -MP
LDLIBS   += -lm -lpthread

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS     += $(PKG_CFLAGS)
LDLIBS     += $(PKG_LIBS)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: utf8-tables all test test-slow asan demo deps fuzz clean check-deps bench playbooks format format-check web test-browser
.SECONDARY:

all: check-deps $(BUILD)/encore $(TEST_BIN)

check-deps:
	@pkg-config --exists $(PKGS) || { \
	  echo "missing libraries: run 'make deps' (or scripts/install-deps) to install: $(PKGS)" >&2; \
	  exit 1; }

deps:
	scripts/install-deps --test

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libencore.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/encore: $(BUILD)/obj/src/main.o $(BUILD)/libencore.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libencore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

test: all
	tests/run.sh $(BUILD)

test-slow: all
	tests/run.sh $(BUILD) --slow

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ENCORE_SANITIZED=1 tests/run.sh build/asan

# the demo needs only the build packages (scripts/install-deps without --test: no clang,
# pandas or scipy)
demo:
	scripts/install-deps
	$(MAKE) all
	$(BUILD)/encore --db demo.db demo --out demo
	$(BUILD)/encore --db demo.db score
	$(BUILD)/encore --db demo.db report --html demo/report.html
	@ENCORE=$(BUILD)/encore scripts/demo-next demo.db demo/report.html
	scripts/demo-console $(BUILD)/encore demo.db

FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -D_GNU_SOURCE -Isrc -MMD -MP $(PKG_CFLAGS)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@

build/fuzz/%: fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c %.o,$^) -o $@ $(LDLIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
	  echo "fuzz: $$n"; $$f -max_total_time=$${FUZZ_SECONDS:-20} -max_len=4096 build/fuzz/corpus/$$n fuzz/corpus/$$n || exit 1; done

# the ready campaign files embedded in the binary (src/campaign/playbooks.c is generated and
# committed: run this after editing src/campaign/playbooks/*.json)
playbooks:
	scripts/embed-playbooks src/campaign/playbooks src/campaign/playbooks.c

# the display-width tables of src/base/utf8.c (generated and committed)
utf8-tables:
	scripts/gen-utf8-widths src/base/utf8_tables.h

# the web console embedded in the binary (src/server/webassets.c is generated and committed:
# run this after editing web/; CI runs scripts/embed-web --check)
web:
	scripts/embed-web

# the console driven in Debian's chromium: login, every page, figures against the CLI, axe-core;
# screenshots in $(BUILD)/screenshots/
test-browser: all
	tests/browser/run.sh $(BUILD)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src tests fuzz bench -name '*.[ch]')

format:
	@clang-format -i $(FORMAT_FILES)

format-check:
	@bad=0; for f in $(FORMAT_FILES); do clang-format $$f | cmp -s - $$f || { echo "format: $$f differs (make format)"; bad=1; }; done; \
	  [ $$bad -eq 0 ] && echo "format-check: $(words $(FORMAT_FILES)) files ok"

bench: all
	@echo "benchmarks are scripts run by hand: bench/README.md says what each measures and how to run it"
	@sed -n 's/^| `\([a-z_]*\.sh\)` | \([^|]*\) |.*/  bench\/\1  \2/p' bench/README.md

clean:
	rm -rf build

$(LIB_OBJ) $(BUILD)/obj/src/main.o: | check-deps
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
-include $(shell find build/fuzz -name '*.d' 2>/dev/null)
