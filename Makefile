# fogfs: build, test, run, install. `make help` lists the targets.
# SAN=1 builds everything with AddressSanitizer + UBSan.

PREFIX  ?= /usr/local
DESTDIR ?=
MNT     ?= /fog
B       := build

PKGS    := fuse3 lxc jansson libcurl
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl: headers only; backends/curl_dl.c dlopens it (dlopen is in glibc's libc).
LDLIBS  += $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -lpthread -lm
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
B       := build-san
endif

LIB_SRCS  := $(sort $(wildcard core/*.c backends/*.c fs/*.c))
LIB_SRCS  := $(filter-out fs/main.c,$(LIB_SRCS))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)

all: $(B)/fogfs $(UNIT_BINS) $(TOOL_BINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libfog.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/fogfs: $(B)/fs/main.o $(B)/libfog.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The etcd test posts to etcd directly with libcurl.
$(B)/tests/test_store_etcd: LDLIBS += $(shell pkg-config --libs libcurl 2>/dev/null)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libfog.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tools/%: $(B)/tests/tools/%.o $(B)/libfog.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Modules with their own binaries (ledd, ...) add rules here.
-include $(wildcard */module.mk */*/module.mk)

deps:
	@scripts/setup-deps.sh

check: deps
	$(MAKE) all
	@B=$(B) SAN=$(SAN) tests/run.sh

run: deps
	$(MAKE) $(B)/fogfs
	@scripts/run.sh $(B)/fogfs $(MNT)

bench: deps
	$(MAKE) all
	@B=$(B) scripts/bench.sh

install: $(B)/fogfs
	install -D -m 0755 $(B)/fogfs $(DESTDIR)$(PREFIX)/sbin/fogfs
	install -D -m 0644 docs/fogfs.8 $(DESTDIR)$(PREFIX)/share/man/man8/fogfs.8
	sed 's|@PREFIX@|$(PREFIX)|g' scripts/fogfs.service > $(B)/fogfs.service
	install -D -m 0644 $(B)/fogfs.service $(DESTDIR)$(PREFIX)/lib/systemd/system/fogfs.service
	$(INSTALL_EXTRA)

clean:
	rm -rf build build-san

help:
	@echo "make            build fogfs, tests and tools into $(B)/"
	@echo "make run        install missing packages, build, mount fogfs on MNT=$(MNT)"
	@echo "make check      install missing packages, build, run every test (SAN=1: ASan+UBSan)"
	@echo "make bench      run the benchmarks (scripts/bench-*.sh)"
	@echo "make install    install into DESTDIR/PREFIX (default $(PREFIX))"

.PHONY: all deps check run bench install clean help
-include $(shell find $(B) -name '*.d' 2>/dev/null)
