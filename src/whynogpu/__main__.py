from whynogpu.cli import run

run()
