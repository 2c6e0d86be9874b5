# lk — build every tool into bin/, run every test with `make test`.
# Tools are discovered: tools/lib/AREA/*.cpp is one library per area (tools/lib/README.md),
# tools/lk-NAME/*.cpp is bin/lk-NAME.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
PREFIX   ?= /usr/local
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers
DEPFLAGS  = -MMD -MP

ifeq ($(SANITIZE),1)
  BUILD    := build/san
  BIN      := build/san/bin
  CXXFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS  += -fsanitize=address,undefined
  # GCC 12 reports false maybe-uninitialized warnings inside std::regex under ASan.
  WARN     += -Wno-maybe-uninitialized
  # Tests that boot VMs or run long benchmarks-like loops check this and skip.
  export LK_SANITIZE := 1
else
  BUILD    := build/rel
  BIN      := bin
endif
WARN += -Werror

ALL_CXXFLAGS = -std=c++20 $(WARN) $(CXXFLAGS) -Itools/lib $(DEPFLAGS) -D_FILE_OFFSET_BITS=64
LIBS := -lyaml-cpp -larchive -lcurl -lcrypto -lz -ldeflate -lzstd -lpthread

# Link order: an area before the areas it uses (the rules are in tools/lib/README.md).
AREAS    := gcp qemu boot rootfs pull pkg spec oci streams metadata http guest base
LIB_SRC  := $(wildcard tools/lib/*/*.cpp)
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
AREA_LIB  = $(foreach a,$(1),$(BUILD)/lib/liblk-$(a).a)
LIB_A    := $(call AREA_LIB,$(AREAS))
TOOLS    := lk $(notdir $(wildcard tools/lk-*))
TOOL_BIN := $(TOOLS:%=$(BIN)/%)
UNIT_SRC := $(wildcard test/unit/*.cpp)
UNIT_OBJ := $(UNIT_SRC:%.cpp=$(BUILD)/%.o)
UNIT_BIN := $(BUILD)/unit-tests

.PHONY: all test unit cli lint install clean fuzz bench demo format compile_commands.json
# Objects reached through the tools' pattern rule would otherwise count as intermediate
# and be deleted after each link, forcing full rebuilds.
.SECONDARY:
all: $(TOOL_BIN)

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

# Second expansion lets one pattern rule build each area's library and link each tool
# from its own folder.
.SECONDEXPANSION:
$(BUILD)/lib/liblk-%.a: $$(addprefix $(BUILD)/,$$(subst .cpp,.o,$$(wildcard tools/lib/$$*/*.cpp)))
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

# A tool links every area unless AREAS_lk-NAME narrows it.
$(BIN)/lk-%: $$(addprefix $(BUILD)/,$$(subst .cpp,.o,$$(wildcard tools/lk-$$*/*.cpp))) \
             $$(call AREA_LIB,$$(or $$(AREAS_lk-$$*),$(AREAS)))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(LDFLAGS_$(@F)) $^ $(if $(filter undefined,$(origin LIBS_$(@F))),$(LIBS),$(LIBS_$(@F))) -o $@

$(BIN)/lk: $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tools/lk/*.cpp)) $(LIB_A)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ $(LIBS) -o $@

# The guest's PID 1 runs before any library is there: static, and only libc/libstdc++.
# So are the programs of pkg/sysctl and pkg/metadata: their images hold no libraries.
# Stripped at link: an image needs no symbols or debug info (lk-init 15.9 MB -> 2.5 MB, so
# a smaller initrd to compress and unpack), nor the build's paths they hold.
# (ASan cannot link statically; the sanitizer build skips the boot tests anyway.)
AREAS_lk-init := guest base
AREAS_lk-sysctl := guest base
AREAS_lk-metadata := metadata http base
GUEST_TOOLS := lk-init lk-sysctl lk-metadata
$(foreach t,$(GUEST_TOOLS),$(eval LIBS_$(t) :=))
ifneq ($(SANITIZE),1)
  $(foreach t,$(GUEST_TOOLS),$(eval LDFLAGS_$(t) := -static -s))
endif

$(UNIT_BIN): $(UNIT_OBJ) $(LIB_A)
	$(CXX) $(LDFLAGS) $^ $(LIBS) -o $@

test: lint unit cli
lint:
	scripts/lint-includes
# Each prints its wall time (the CLI runner also per script); LK_TEST_JOBS bounds the CLI
# scripts run at once (default: nproc).
unit: $(UNIT_BIN)
	@t0=$$(date +%s.%N); $(UNIT_BIN); rc=$$?; \
	  awk -v a=$$t0 -v b=$$(date +%s.%N) 'BEGIN { printf "unit: wall %.1fs\n", b - a }'; exit $$rc
cli: $(TOOL_BIN)
	@t0=$$(date +%s.%N); LK_BIN=$(abspath $(BIN)) test/run-cli-tests; rc=$$?; \
	  awk -v a=$$t0 -v b=$$(date +%s.%N) 'BEGIN { printf "cli: wall %.1fs\n", b - a }'; exit $$rc

# The README's first command: install what is missing, build, boot the nginx demo.
demo:
	scripts/install-deps
	$(MAKE) -j2 all
	scripts/demo

fuzz:
	$(MAKE) -C test/fuzz

bench: all
	LK_BIN=$(abspath $(BIN)) test/bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/

# For editors and clangd: every translation unit with the flags this Makefile uses.
compile_commands.json:
	@{ $(foreach f,$(LIB_SRC) $(UNIT_SRC) $(wildcard tools/lk*/*.cpp),echo '$(f) $(CXX) $(ALL_CXXFLAGS) -c $(f)';) } \
	  | python3 -c 'import json, os, sys; print(json.dumps([{"directory": os.getcwd(), "file": l.split(" ", 1)[0], "command": l.split(" ", 1)[1].strip()} for l in sys.stdin], indent=1))' >$@
	@echo "compile_commands.json: $$(grep -c '"file"' $@) files"

# The layout rules of .clang-format, applied to every C++ file of the tree.
format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(wildcard $(BUILD)/tools/lk*/*.d)
