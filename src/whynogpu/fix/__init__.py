"""`whynogpu fix`: the verdict of a check turned into a plan of steps, applied with a way back.

plan.py builds the steps from a report's findings and the snapshot's facts (nothing is probed or
derived again here); installer.py decides which tool changes the environment (pip, uv, conda,
poetry, pipenv); choose.py reads the knowledge tables for the build to install; envvars.py edits a
kernel.json or a conda env's activation scripts; rollback.py records and restores the environment;
apply.py runs the automatic steps; render.py prints the plan.
"""
