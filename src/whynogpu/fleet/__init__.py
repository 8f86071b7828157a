"""`whynogpu fleet`: one snapshot per node (Ray, Slurm or a folder of saved snapshots), check's rules run
here on each, then the nodes grouped by verdict and the odd ones out named.

    launch (ray_launch, slurm, folder) -> Node list -> diagnose (summary) -> Fleet -> render

Nothing here imports Ray unless `--ray` is used (ray_launch is imported only then).
"""
