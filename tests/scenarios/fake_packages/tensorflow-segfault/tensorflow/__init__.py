# Dies the way a broken native extension does: the whole interpreter gets SIGSEGV.
import os
import signal

os.kill(os.getpid(), signal.SIGSEGV)
