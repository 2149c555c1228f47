#!/usr/bin/env bash
# test_dispatch_crash.sh — the dispatcher's crash test (tests/slow/test_dispatch_crash.sh) at a
# size for every `make test`: 2,000 messages, killed with SIGKILL at least 3 times; the same
# checks (0 lost, 0 duplicated, only in-flight messages re-sent). `make test-slow` runs it with
# 100,000 messages and 10 kills.
export CRASH_MESSAGES=${CRASH_MESSAGES:-2000} CRASH_MESSAGES_SANITIZED=${CRASH_MESSAGES_SANITIZED:-2000}
export CRASH_MIN_KILLS=${CRASH_MIN_KILLS:-3}
exec bash "$(dirname "$0")/../slow/test_dispatch_crash.sh"
