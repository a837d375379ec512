"""``python -m benchmarks``: the package (imported first) pins BLAS threads, then run."""

import sys

from benchmarks.run import main

sys.exit(main())
