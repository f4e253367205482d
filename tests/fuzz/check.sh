#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make check's regression guard: each fuzzing harness for 20 seconds from
# its seed corpus (make fuzz runs them longer).
FUZZ_SECS=${FUZZ_SECS:-20} exec "$(dirname "$0")/run.sh"
