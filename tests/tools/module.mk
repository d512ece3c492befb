# tests/tools/module.mk: link flags of the test tools beyond the project libraries.
# nfsclient speaks NFS through libnfs (libnfs-dev).
$(B)/tools/nfsclient: LDLIBS += -lnfs
