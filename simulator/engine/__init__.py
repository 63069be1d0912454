"""The discrete-event core: no knowledge of AWS.

Importing this package imports no simpy; `simulator.engine.env` does. Service modules rely
on that, so the scenario schema can import their settings without pulling in the engine.
"""
