# tests/fuzz/module.mk: `make fuzz` builds a libFuzzer target per parser
# family with clang (ASan + UBSan) and runs each for FUZZ_TIME seconds.
# Not part of `make check`. Also works alone: make -f tests/fuzz/module.mk fuzz
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 20
FUZZ_B     ?= build/fuzz
FUZZ_FLAGS ?= -std=gnu11 -g -O1 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wno-unused-parameter \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(FUZZ_B)/fuzz_procfs: tests/fuzz/fuzz_procfs.c backends/procfs.c backends/procfs.h core/metrics.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_procfs.c backends/procfs.c

$(FUZZ_B)/fuzz_units: tests/fuzz/fuzz_units.c core/units.c core/units.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_units.c core/units.c

# The first corpus folder (under FUZZ_B) collects new inputs; the seeds stay
# read-only. A crash leaves crash-* in FUZZ_B and fails the target.
fuzz: $(FUZZ_B)/fuzz_procfs $(FUZZ_B)/fuzz_units
	@mkdir -p $(FUZZ_B)/corpus/procfs $(FUZZ_B)/corpus/units
	$(FUZZ_B)/fuzz_procfs -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FUZZ_B)/ \
	    -dict=tests/fuzz/procfs.dict $(FUZZ_B)/corpus/procfs tests/fixtures
	$(FUZZ_B)/fuzz_units -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FUZZ_B)/ \
	    -dict=tests/fuzz/units.dict $(FUZZ_B)/corpus/units tests/fuzz/corpus/units

.PHONY: fuzz
