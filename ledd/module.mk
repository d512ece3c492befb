# ledd: the LED daemon, its tests against FAKE GPIO chips, and its install.
# The gpio port follows pkg-config's libgpiod: 1.x builds ledd/gpio_v1.c,
# 2.x ledd/gpio_v2.c. Tests link tests/ledd/fake_gpiod_v*.c, never -lgpiod.

LEDD_GPIOD_VERSION := $(shell pkg-config --modversion libgpiod 2>/dev/null)
LEDD_GPIO    := $(if $(filter 2.% 3.%,$(LEDD_GPIOD_VERSION)),v2,v1)
LEDD_GPIOD_LIBS := $(or $(shell pkg-config --libs libgpiod 2>/dev/null),-lgpiod)
LEDD_LIBS    := -lpthread -lm

LEDD_SRCS    := ledd/config.c ledd/chip_select.c ledd/frame.c ledd/ledd.c \
                ledd/drv_max7219.c ledd/drv_matrix16.c ledd/drv_term.c
# ledd's objects go to $(B)/ledd-obj/: $(B)/ledd is the binary.
LEDD_OBJ     := $(B)/ledd-obj
LEDD_OBJS    := $(LEDD_SRCS:ledd/%.c=$(LEDD_OBJ)/%.o) $(B)/core/led.o
LEDD_TESTLIB := $(B)/tests/ledd/gpio_trace.o $(B)/tests/ledd/fake_chips.o \
                $(B)/tests/ledd/max7219_model.o $(B)/tests/ledd/matrix_model.o
LEDD_FAKE    := $(B)/tests/ledd/fake_gpiod_$(LEDD_GPIO).o $(LEDD_TESTLIB)

$(LEDD_OBJ)/%.o: ledd/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

all: $(B)/ledd $(B)/ledd-fakechip $(B)/tests/ledd/ledd-trace-decode \
     $(B)/tests/test_ledd_pure $(B)/tests/test_ledd_wire $(B)/tests/test_ledd_wire_v2

# The daemon, on the real libgpiod.
$(B)/ledd: $(LEDD_OBJ)/main.o $(LEDD_OBJS) $(LEDD_OBJ)/gpio_$(LEDD_GPIO).o
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_GPIOD_LIBS) $(LEDD_LIBS)

# The same daemon on FAKE chips, writing its trace to $LEDD_FAKE_GPIO_TRACE
# (tests/integration/ledd*.sh); not installed.
$(B)/ledd-fakechip: $(LEDD_OBJ)/main.o $(LEDD_OBJS) $(LEDD_OBJ)/gpio_$(LEDD_GPIO).o $(LEDD_FAKE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_LIBS)

$(B)/tests/ledd/ledd-trace-decode: $(B)/tests/ledd/trace_decode.o $(LEDD_TESTLIB) $(B)/core/led.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_LIBS)

$(B)/tests/test_ledd_pure: $(B)/tests/ledd/test_ledd_pure.o $(LEDD_OBJS) \
                           $(LEDD_OBJ)/gpio_$(LEDD_GPIO).o $(LEDD_FAKE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_LIBS)

$(B)/tests/test_ledd_wire: $(B)/tests/ledd/test_ledd_wire.o $(LEDD_OBJS) \
                           $(LEDD_OBJ)/gpio_$(LEDD_GPIO).o $(LEDD_FAKE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_LIBS)

# libgpiod v2 on a v1 system: the v2 port against a v2 fake, compiled with
# v2 headers from a Debian package extracted into $(B)/gpiod-v2 (see
# tests/ledd/get-gpiod-v2.sh) or from LEDD_GPIOD_V2_INCLUDE; never
# installed over the system's v1. Without them the test reports SKIP.
LEDD_V2_INC := $(or $(LEDD_GPIOD_V2_INCLUDE),$(wildcard $(B)/gpiod-v2/usr/include))
ifeq ($(LEDD_GPIO),v2)
LEDD_V2_INC := system
endif
ifneq ($(LEDD_V2_INC),)
LEDD_V2_CFLAGS := $(if $(filter system,$(LEDD_V2_INC)),,-I$(LEDD_V2_INC))
$(B)/ledd-v2/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LEDD_V2_CFLAGS) -DLEDD_WIRE_API_NAME='"v2"' -MMD -MP -c -o $@ $<
$(B)/tests/test_ledd_wire_v2: $(B)/ledd-v2/tests/ledd/test_ledd_wire.o $(LEDD_OBJS) \
                              $(B)/ledd-v2/ledd/gpio_v2.o $(B)/ledd-v2/tests/ledd/fake_gpiod_v2.o \
                              $(LEDD_TESTLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LEDD_LIBS)
else
$(B)/tests/test_ledd_wire_v2: tests/ledd/skip_v2.sh
	@mkdir -p $(dir $@)
	cp $< $@ && chmod +x $@
endif

ledd-gpiod-v2:
	B=$(B) tests/ledd/get-gpiod-v2.sh

ledd: $(B)/ledd

# Starts and ends with an empty line, so it appends cleanly to others'.
define LEDD_INSTALL

	install -D -m 0755 $(B)/ledd $(DESTDIR)$(PREFIX)/sbin/ledd
	install -D -m 0644 docs/ledd.8 $(DESTDIR)$(PREFIX)/share/man/man8/ledd.8
	sed 's|@PREFIX@|$(PREFIX)|g' scripts/ledd.service > $(B)/ledd.service
	install -D -m 0644 $(B)/ledd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/ledd.service
	install -D -m 0644 scripts/ledd.conf.example $(DESTDIR)$(PREFIX)/share/doc/fogfs/ledd.conf.example

endef
INSTALL_EXTRA += $(LEDD_INSTALL)
inst$(LEDD_OBJ)/%.o: ledd/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

all: $(B)/ledd

.PHONY: ledd ledd-gpiod-v2
