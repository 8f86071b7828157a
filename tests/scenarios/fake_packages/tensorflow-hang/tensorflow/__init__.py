# Blocks forever, like an import stuck on a lock, a network file system or a driver call.
import time

while True:
    time.sleep(3600)
