import os
import sys

from ops.cli import main

code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.flush()
# Skip interpreter teardown: the Pulumi SDK leaves per-thread event loops whose finalizers
# can print spurious "Invalid file descriptor" noise at exit. All output is flushed above.
os._exit(code)
