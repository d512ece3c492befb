# tests/module.mk: pulls in the fragments of tests/ subfolders, which the
# top-level "-include */module.mk" does not reach (one level deep only).
-include tests/tools/module.mk
