"""The VM test harness of `make vm-test` (Tests/VM/README.md)."""
