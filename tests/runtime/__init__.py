"""Tests of the shared service runtime `rose_runtime`, rendered for the shop example, against real services."""
