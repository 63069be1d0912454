"""Readers of the logs AWS writes about an account: CloudTrail records and EventBridge
events, as AWS delivers or exports them, turned into plain tables.

Pure parsing: no SimPy, no services. What a record means to the simulator (which
operation, which resource) is the scenario's to decide (`simulator.scenario.logs`).
"""
