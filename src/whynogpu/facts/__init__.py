"""The snapshot schema: every fact type the probes fill on a machine and triage/to_facts.py fills from a pasted
report, and that the rules read. One module per layer:

    facts.platform     PlatformFacts                    facts.target       TargetFacts, Distribution, …
    facts.gpu          GpuFacts, PciDevice, DeviceNode  facts.frameworks   FrameworkBuildFacts, LiveFacts, FrameworkRun, …
    facts.driver       DriverFacts, NvmlState, …        facts.environment  EnvironmentFacts
    facts.cuda         CudaLibFacts, FrameworkLibs, …   facts.code         ScanFacts, CodeHit
                                                        facts.report       TriageFacts (what a report's lines show)

Facts are frozen dataclasses of plain types, so a snapshot round-trips through JSON (serde, snapshot_io).
Modules are imported one by one (this package imports none of them), so reading one costs nothing else.
"""
