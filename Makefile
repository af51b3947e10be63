# archivist build.  `make` builds build/archivist and the mock server,
# `make check` installs missing Debian packages, builds, and runs every test
# twice: plain and under AddressSanitizer + UndefinedBehaviorSanitizer.
# `make demo` installs them too, then runs scripts/demo.sh on the mock.
#
# Sources are found by wildcard: every src/**/*.c (but main.c) goes into
# libarchivist.a, every tests/unit/test_*.c is one test program.

CC      ?= cc
O       ?= build
SAN     ?=
PKGS     = libcurl openssl libxml-2.0 libzstd zlib jansson
MOCKPKGS = libmicrohttpd
TESTPKGS = cmocka

WARN = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
       -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef \
       -Wvla -Wwrite-strings -Wimplicit-fallthrough -Wnull-dereference \
       -Wold-style-definition -Wredundant-decls
OPT  = -O2 -g
ifneq ($(SAN),)
OPT  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
       -fno-sanitize-recover=undefined
endif
CPPFLAGS += -Iinclude -D_GNU_SOURCE
CFLAGS   += -std=c11 $(OPT) $(WARN) $(shell pkg-config --cflags $(PKGS))
LIBS      = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
LDFLAGS  += $(if $(SAN),-fsanitize=address$(comma)undefined)
comma := ,
# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

LIB_SRCS  = $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(O)/%.o)
MOCK_SRCS = $(wildcard mocks/*.c)
MOCK_OBJS = $(MOCK_SRCS:%.c=$(O)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
UNIT_HELP = $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
UNIT_HOBJ = $(UNIT_HELP:%.c=$(O)/%.o)
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)

.SECONDARY:
.PHONY: all check test deps demo fuzz fuzz-build bench clean mutate install uninstall
all: $(O)/archivist $(if $(MOCK_SRCS),$(O)/mock-s3) $(UNIT_BINS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/libarchivist.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(O)/archivist: $(O)/src/main.o $(O)/libarchivist.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/mock-s3: $(MOCK_OBJS) $(O)/libarchivist.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(MOCKPKGS)) $(LIBS)

$(O)/mocks/%.o: CFLAGS += $(shell pkg-config --cflags $(MOCKPKGS))

$(O)/tests/%: $(O)/tests/unit/%.o $(UNIT_HOBJ) $(O)/libarchivist.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(TESTPKGS)) $(LIBS)

# The built-in configuration is assembled into this object (.incbin).
$(O)/src/catalog/config_builtin.o build-fuzz/obj/src/catalog/config_builtin.o: \
  config/heroku-python.json

# Unit tests may call a module's static helpers through UNITTEST hooks.
$(O)/tests/unit/%.o: CPPFLAGS += -DUNITTEST -Isrc

deps:
	@scripts/deps.sh

# The test command: packages, two builds, every test, one summary line.
# The builds and the test programs use every core (TEST_JOBS to change).
NPROC := $(shell nproc 2>/dev/null || echo 2)
check: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all O=build
	@$(MAKE) --no-print-directory -j$(NPROC) all O=build-san SAN=1
	@tests/run.sh build build-san

test: all
	@tests/run.sh $(O)

demo: deps
	@$(MAKE) --no-print-directory all O=build
	@scripts/demo.sh build

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page
# and the bash completion.  make uninstall removes them.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALLED = $(DESTDIR)$(BINDIR)/archivist $(DESTDIR)$(MANDIR)/man1/archivist.1 \
	    $(DESTDIR)$(COMPDIR)/archivist
install: $(O)/archivist
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(O)/archivist $(DESTDIR)$(BINDIR)/archivist
	install -m 644 doc/archivist.1 $(DESTDIR)$(MANDIR)/man1/archivist.1
	install -m 644 completions/archivist.bash $(DESTDIR)$(COMPDIR)/archivist
uninstall:
	rm -f $(INSTALLED)

# libFuzzer targets (clang): the sources are compiled once with coverage
# and sanitizers into build-fuzz/libarchivist.a, each target links to it.
FUZZ_BINS  = $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
FUZZ_OBJS  = $(LIB_SRCS:%.c=build-fuzz/obj/%.o)
FUZZ_FLAGS = -std=c11 -g -O1 $(CPPFLAGS) -Isrc $(shell pkg-config --cflags $(PKGS))
fuzz-build: $(FUZZ_BINS)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
build-fuzz/libarchivist.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^
build-fuzz/%: tests/fuzz/%.c build-fuzz/libarchivist.a
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	  build-fuzz/libarchivist.a $(LIBS)
FUZZ_SECONDS ?= 60
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# Mutation testing (tests/mutations.txt): each listed mutation must make
# its tests fail.  Works on a copy of the tree; MUTATE='NAME...' for some.
mutate: all
	@tests/mutate.sh $(MUTATE)

bench: all
	@bench/run.sh $(BENCH)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) build-fuzz -name '*.d' 2>/dev/null)
