# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make            BPF object, skeleton, tdxtop (installs nothing: make deps)
# make deps       install the build dependencies (Debian, apt-get)
# make check      every test (installs what it needs, builds the kernel)
# make kernel     Linux 7.2 + kernel/patches, out of tree in $(TDXTOP_CACHE)
# make kunit      the series' TD enter/exit path run by its KUnit suite (QEMU)
# make demo       boot the kernel in QEMU, inject a TD exit mix, run tdxtop
# make install    PREFIX=/usr/local DESTDIR= (binary, man page, completion, unit)
# make deb        a Debian package in build/deb (debhelper)
# make fuzz       libFuzzer harnesses, FUZZ_SECS each (tests/fuzz)
# make soak       30 minutes of live + record + serve in the VM (tests/soak)
# make clean
# V=1 prints commands.

OUTPUT ?= $(CURDIR)/build
PREFIX ?= /usr/local
DESTDIR ?=
TDXTOP_CACHE ?= /var/cache/tdxtop
export TDXTOP_CACHE

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -D_GNU_SOURCE -I$(OUTPUT) -I$(OUTPUT)/gen -Ibpf -Itools/tdxtop
# from pkg-config where it answers (a host with its own builds of the libraries)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs libbpf ncursesw sqlite3 zlib libmicrohttpd \
		libcap-ng libprotobuf-c 2>/dev/null)
LDLIBS_TDXTOP = $(if $(PKG_LIBS),$(PKG_LIBS),-lbpf -lelf -lz -lncursesw -lsqlite3 -lmicrohttpd \
		-lcap-ng -lprotobuf-c) \
		-lm -lpthread
# tests/e2e/inject writes its expectations with json-c: an oracle that
# shares no code with tdxtop's own JSON writer
LDLIBS_TEST = $(LDLIBS_TDXTOP) -ljson-c -lvterm -lutil
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Ibpf \
	     -I/usr/include/$(shell $(CC) -dumpmachine)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(CURDIR)/%,%,$(2))";
endif

# the layers (docs/architecture.md): collect/ model/ output/ store/, and the
# commands at the top (main.c, builtin-*.c, session.c, cli.c)
TDXTOP_LAYERS = collect model output store
TDXTOP_SRCS = $(wildcard tools/tdxtop/*.c $(TDXTOP_LAYERS:%=tools/tdxtop/%/*.c))
TDXTOP_HDRS = $(wildcard tools/tdxtop/*.h $(TDXTOP_LAYERS:%=tools/tdxtop/%/*.h))
# the HTML report's page, script and style: real files, embedded (.incbin)
REPORT_ASSETS = $(addprefix tools/tdxtop/output/,report.html report.js report.css)
# the protobuf exposition's messages: C from tools/tdxtop/output/metrics.proto
PROTO_C = $(OUTPUT)/gen/metrics.pb-c.c
PROTO_H = $(OUTPUT)/gen/metrics.pb-c.h
TDXTOP_OBJS = $(patsubst tools/tdxtop/%.c,$(OUTPUT)/obj/%.o,$(TDXTOP_SRCS)) \
	      $(OUTPUT)/obj/output/report_assets.o $(OUTPUT)/obj/gen/metrics.pb-c.o
# libtdxtop.a: the layers, and the helpers the commands share; tests and
# bench link it
LIB_OBJS = $(filter-out $(OUTPUT)/obj/main.o $(OUTPUT)/obj/builtin-%.o,$(TDXTOP_OBJS))
CMD_OBJS = $(filter $(OUTPUT)/obj/main.o $(OUTPUT)/obj/builtin-%.o,$(TDXTOP_OBJS))
TEST_BINS = $(patsubst tests/%.c,$(OUTPUT)/tests/%,\
	    $(wildcard tests/unit/*.c tests/bpf/*.c tests/e2e/*.c tests/record/*.c tests/kvm/*.c \
		       tests/serve/*.c))

.DELETE_ON_ERROR:
.PHONY: all deps deps-test check kernel kernel-base kunit kmod demo bench install deb fuzz fuzz-build \
	soak clean FORCE

# make builds and changes nothing on the system: make deps installs
all: $(OUTPUT)/tdxtop

deps:
	$(Q)scripts/deps.sh build

deps-test:
	$(Q)scripts/deps.sh all

$(OUTPUT) $(OUTPUT)/obj $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/tdx_enter.bpf.o: bpf/tdx_enter.bpf.c bpf/aggregate.bpf.h bpf/tdx_enter.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tdx_enter.skel.h: $(OUTPUT)/tdx_enter.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# the kvm source: its own object on the same maps (bpf/kvm_exit.bpf.c)
$(OUTPUT)/kvm_exit.bpf.o: bpf/kvm_exit.bpf.c bpf/kvm_exit.bpf.h bpf/aggregate.bpf.h \
		bpf/tdx_enter.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/kvm_exit.skel.h: $(OUTPUT)/kvm_exit.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# the btf source: stock kernels whose BTF has struct vcpu_tdx (bpf/kvm_btf.bpf.c)
$(OUTPUT)/kvm_btf.bpf.o: bpf/kvm_btf.bpf.c bpf/kvm_exit.bpf.h bpf/aggregate.bpf.h \
		bpf/tdx_enter.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/kvm_btf.skel.h: $(OUTPUT)/kvm_btf.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(PROTO_C) $(PROTO_H) &: tools/tdxtop/output/metrics.proto
	$(call msg,PROTOC,$@)
	$(Q)mkdir -p $(OUTPUT)/gen
	$(Q)protoc-c --c_out=$(OUTPUT)/gen --proto_path=tools/tdxtop/output $<

$(OUTPUT)/obj/gen/metrics.pb-c.o: $(PROTO_C) $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/obj/%.o: tools/tdxtop/%.c $(TDXTOP_HDRS) bpf/tdx_enter.h $(PROTO_H) \
		$(OUTPUT)/tdx_enter.skel.h $(OUTPUT)/kvm_exit.skel.h $(OUTPUT)/kvm_btf.skel.h | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/obj/output/report_assets.o: tools/tdxtop/output/report_assets.S $(REPORT_ASSETS) \
		| $(OUTPUT)/obj
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -c $< -o $@

# the CSP names the report's script by its hash
$(OUTPUT)/report_sha256.h: tools/tdxtop/output/report.js scripts/asset-sha256.sh | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)scripts/asset-sha256.sh TDXTOP_REPORT_JS_SHA256 $< > $@

$(OUTPUT)/obj/output/html.o $(OUTPUT)/fuzz/obj/output/html.o: $(OUTPUT)/report_sha256.h

$(OUTPUT)/libtdxtop.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/tdxtop: $(CMD_OBJS) $(OUTPUT)/libtdxtop.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS_TDXTOP) -o $@

$(OUTPUT)/tests/%: tests/%.c $(OUTPUT)/libtdxtop.a $(TDXTOP_HDRS) \
		bpf/tdx_enter.h $(OUTPUT)/tdx_enter.skel.h $(OUTPUT)/kvm_exit.skel.h \
		$(OUTPUT)/kvm_btf.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< $(OUTPUT)/libtdxtop.a $(LDLIBS_TEST) -o $@

tests: $(TEST_BINS)

# benchmarks: figures, not assertions (docs/performance.md)
BENCH_BINS = $(OUTPUT)/bench/bpf_cost $(OUTPUT)/bench/userspace $(OUTPUT)/bench/kvm_attach

$(OUTPUT)/empty.bpf.o: bench/empty.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/empty.skel.h: $(OUTPUT)/empty.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/kvm_attach.bpf.o: bench/kvm_attach.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/kvm_attach.skel.h: $(OUTPUT)/kvm_attach.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/loop.bpf.o: bench/loop.bpf.c bpf/aggregate.bpf.h bpf/tdx_enter.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/loop.skel.h: $(OUTPUT)/loop.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/loop_kvm.bpf.o: bench/loop_kvm.bpf.c bpf/kvm_exit.bpf.h bpf/aggregate.bpf.h \
		bpf/tdx_enter.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/loop_kvm.skel.h: $(OUTPUT)/loop_kvm.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/bench/%: bench/%.c $(OUTPUT)/libtdxtop.a $(OUTPUT)/empty.skel.h \
		$(OUTPUT)/loop.skel.h $(OUTPUT)/loop_kvm.skel.h $(OUTPUT)/kvm_attach.skel.h \
		$(OUTPUT)/tdx_enter.skel.h \
		bpf/tdx_enter.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $< $(OUTPUT)/libtdxtop.a $(LDLIBS_TDXTOP) -o $@

# make bench BASE=REV: REV's exit handler measured side by side (bench/bpf_cost)
BASE ?=
BASE_LOOP = $(if $(BASE),$(OUTPUT)/base/loop.bpf.o)

$(OUTPUT)/base/loop.bpf.o: FORCE
	$(call msg,BPF,$@ ($(BASE)))
	$(Q)rm -rf $(OUTPUT)/base && mkdir -p $(OUTPUT)/base/src
	$(Q)git archive $(BASE) bpf bench | tar -x -C $(OUTPUT)/base/src
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $(OUTPUT)/base/src/bench/loop.bpf.c -o $@

bench: deps all $(BENCH_BINS) $(OUTPUT)/tests/record/gen $(OUTPUT)/tests/record/diffgen \
		$(OUTPUT)/tests/kvm/kvm_guests \
		$(BASE_LOOP)
	$(Q)BASE_LOOP=$(BASE_LOOP) bench/run.sh

# fuzzing (libFuzzer, ASan, UBSan): tools/tdxtop built apart with clang
FUZZ_SECS ?= 600
FUZZ_CFLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      -fno-omit-frame-pointer -D_GNU_SOURCE -I$(OUTPUT) -I$(OUTPUT)/gen -Ibpf -Itools/tdxtop \
	      -Wno-unused-command-line-argument
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_OBJS = $(patsubst tools/tdxtop/%.c,$(OUTPUT)/fuzz/obj/%.o,$(filter-out \
	    tools/tdxtop/main.c,$(TDXTOP_SRCS))) $(OUTPUT)/obj/output/report_assets.o \
	    $(OUTPUT)/obj/gen/metrics.pb-c.o

$(OUTPUT)/fuzz/obj/%.o: tools/tdxtop/%.c $(TDXTOP_HDRS) bpf/tdx_enter.h $(PROTO_H) \
		$(OUTPUT)/tdx_enter.skel.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJS) $(LDLIBS_TDXTOP) -o $@

# kept: each harness links them all (make would remove them as intermediate)
.SECONDARY: $(FUZZ_OBJS)

fuzz-build: $(FUZZ_BINS)

# make soak [SOAK_SECS=1800]: live, record and serve at once in the VM
soak: deps-test all $(TEST_BINS) kmod
	$(Q)SOAK_SECS=$(or $(SOAK_SECS),1800) OUTPUT=$(OUTPUT) tests/soak/soak.sh

# make fuzz [FUZZ_SECS=600] [FUZZ=fuzz_http]: each harness for FUZZ_SECS
fuzz: deps-test fuzz-build
	$(Q)FUZZ_SECS=$(FUZZ_SECS) OUTPUT=$(OUTPUT) tests/fuzz/run.sh $(FUZZ)

FORCE:

# the benchmarks are built (not run): they link the same library and must not rot
check: deps-test all $(TEST_BINS) $(FUZZ_BINS) $(BENCH_BINS)
	$(Q)OUTPUT=$(OUTPUT) tests/run.sh

kernel:
	$(Q)scripts/kernel.sh build

# the test-only injector module, against the kernel of 'make kernel'
kmod: $(OUTPUT)/kmod/tdx_inject.ko

$(OUTPUT)/kmod/tdx_inject.ko: tests/kmod/tdx_inject.c include/trace/events/tdx.h \
		$(TDXTOP_CACHE)/build/vmlinux
	$(call msg,KMOD,$@)
	$(Q)mkdir -p $(OUTPUT)/kmod
	$(Q)cp tests/kmod/tdx_inject.c $(OUTPUT)/kmod/
	$(Q)echo 'obj-m := tdx_inject.o' > $(OUTPUT)/kmod/Kbuild
	$(Q)$(MAKE) -s -C $(TDXTOP_CACHE)/build M=$(OUTPUT)/kmod modules \
		$(if $(filter 1,$(V)),V=1)

kernel-base:
	$(Q)scripts/kernel.sh base

kunit:
	$(Q)OUTPUT=$(OUTPUT) TESTS=tests/kernel/kunit.sh tests/run.sh

demo: deps-test all
	$(Q)OUTPUT=$(OUTPUT) tests/e2e/demo.sh

SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

# the binary, man page, bash completion and tdxtop.service (with its
# options file, kept when it exists: it is the admin's)
install: $(OUTPUT)/tdxtop
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 0755 $(OUTPUT)/tdxtop $(DESTDIR)$(PREFIX)/sbin/tdxtop
	install -m 0644 docs/tdxtop.8 $(DESTDIR)$(PREFIX)/share/man/man8/tdxtop.8
	install -m 0644 contrib/bash-completion/tdxtop $(DESTDIR)$(COMPLETIONDIR)/tdxtop
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		contrib/systemd/tdxtop.service > $(DESTDIR)$(UNITDIR)/tdxtop.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tdxtop.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/tdxtop ] || \
		install -m 0644 contrib/systemd/tdxtop.default $(DESTDIR)$(SYSCONFDIR)/default/tdxtop

# a Debian package (debian/), built from a copy of the tree in $(OUTPUT)/deb
deb:
	$(Q)scripts/deb.sh $(OUTPUT)/deb

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)
