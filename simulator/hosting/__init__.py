"""Hosted models and the inference requests they serve (issue 16), beside the workload.

A month of a 200-model fleet at 5 requests per second is millions of requests per
replication: they are data, not SimPy events. `demand` draws every model's arrivals up
front with numpy on the scenario's named streams (`Arrivals`), so every policy variant
of a sweep meets the same requests; `serving` derives after the run, vectorised, what
each request met from the arrivals and the models' status timeline (`transitions`): the
`demand` and `waits` tables. Hosting policies (`simulator.hosting.policies`) read the
arrivals to decide when to stop and start.
"""
