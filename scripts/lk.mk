# lk.mk: build lk specs from a Makefile, rebuilding only what changed.
#
#   LK_SPECS := examples/nginx.yml          # each SPEC gives $(LK_OUT)/NAME-kernel etc.
#   include scripts/lk.mk
#   all: $(LK_OUT)/nginx-kernel
#
# The plan (lk-parse) and the lock (lk-pull) are refreshed on every run but replaced only
# when their bytes change. Package tags hash the package folders and image references
# pin digests, so the kernel and initrd are rebuilt exactly when the spec, a package
# folder or an image digest changed.
LK_OUT ?= out
lk_name = $(basename $(notdir $(1)))
lk_spec_of = $(firstword $(foreach s,$(LK_SPECS),$(if $(filter $(1),$(call lk_name,$(s))),$(s))))
# Replaces $(1) by $(1).new only when they differ, so make sees an unchanged timestamp.
lk_update = if cmp -s $(1).new $(1); then rm -f $(1).new; else mv $(1).new $(1); fi

.PHONY: lk-always
lk-always:

$(LK_OUT)/%.plan.json: lk-always
	@mkdir -p $(@D)
	@lk-parse $(call lk_spec_of,$*) > $@.new
	@python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["packages"].values()))' $@.new \
	  | xargs -r lk-pkg build -q >/dev/null
	@$(call lk_update,$@)

$(LK_OUT)/%.lock.json: $(LK_OUT)/%.plan.json
	@lk-pull -q < $< > $@.new
	@$(call lk_update,$@)

$(LK_OUT)/%-kernel $(LK_OUT)/%-initrd.img $(LK_OUT)/%-cmdline &: $(LK_OUT)/%.lock.json
	lk-rootfs < $< | lk-initrd -o $(LK_OUT)/$*

.SECONDARY:
